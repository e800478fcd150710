package org.pgmigrate.service.migration;

import java.time.Instant;
import java.util.List;

/**
 * {@code currentSubStateDetails.validationDetails}, as in the spec (section 2.8): the result of premigration
 * validation. Filled when {@code ValidationInProgress} ends; absent for {@code migrationOption=Migrate}, and before
 * validation ran. Immutable.
 *
 * @param status Succeeded, Warning or Failed: the worst state of any check
 */
public record ValidationDetails(String status, Instant validationStartTimeInUtc, Instant validationEndTimeInUtc,
                                List<Item> serverLevelValidationDetails, List<DatabaseSummary> dbLevelValidationDetails) {

    public ValidationDetails {
        serverLevelValidationDetails = copy(serverLevelValidationDetails);
        dbLevelValidationDetails = copy(dbLevelValidationDetails);
    }

    /** {@code ValidationSummaryItem}: one check ({@code type}, such as SourceVersionValidation) and its result. */
    public record Item(String type, String state, List<Message> messages) {
        public Item {
            messages = copy(messages);
        }
    }

    /** {@code ValidationMessage}: its severity (Succeeded, Warning, Failed), what is wrong and how to fix it. */
    public record Message(String state, String message) {
    }

    /** {@code DbLevelValidationStatus}: the checks of one database. */
    public record DatabaseSummary(String databaseName, Instant startedOn, Instant endedOn, List<Item> summary) {
        public DatabaseSummary {
            summary = copy(summary);
        }
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
