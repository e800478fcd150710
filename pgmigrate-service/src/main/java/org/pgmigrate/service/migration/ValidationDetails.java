package org.pgmigrate.service.migration;

import java.time.Instant;
import java.util.List;

/**
 * {@code currentSubStateDetails.validationDetails}, as in the spec (section 2.8): the result of premigration
 * validation. Filled by validation (issue 5); absent for {@code migrationOption=Migrate}. Immutable.
 *
 * @param status Succeeded, Warning or Failed
 */
public record ValidationDetails(String status, Instant validationStartTimeInUtc, Instant validationEndTimeInUtc,
                                List<Item> serverLevelValidationDetails, List<DatabaseSummary> dbLevelValidationDetails) {

    /** {@code ValidationSummaryItem}: one check ({@code type}, such as SourceVersionValidation) and its result. */
    public record Item(String type, String state, List<Message> messages) {
    }

    /** {@code ValidationMessage}: what is wrong and how to fix it. */
    public record Message(String state, String message) {
    }

    /** {@code DbLevelValidationStatus}: the checks of one database. */
    public record DatabaseSummary(String databaseName, Instant startedOn, Instant endedOn, List<Item> summary) {
    }
}
