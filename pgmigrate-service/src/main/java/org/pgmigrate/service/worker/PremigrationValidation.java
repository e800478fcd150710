package org.pgmigrate.service.worker;

import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.precheck.CheckResult;
import org.pgmigrate.engine.precheck.PremigrationValidator;
import org.pgmigrate.engine.precheck.ValidationReport;
import org.pgmigrate.engine.precheck.ValidationRequest;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationMode;
import org.pgmigrate.service.migration.MigrationOption;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.migration.ValidationDetails;
import org.pgmigrate.service.server.Endpoints;

/**
 * The worker's side of {@code ValidationInProgress}: runs the engine's {@link PremigrationValidator} for a migration
 * and turns its report into the spec's {@code validationDetails} (section 2.8). Read-only on both servers; blocks
 * for the few seconds the checks take. Thread-safe (stateless).
 */
final class PremigrationValidation {

    static final String SUCCEEDED = "Succeeded";
    static final String FAILED = "Failed";

    private final PremigrationValidator validator;

    PremigrationValidation(PremigrationValidator validator) {
        this.validator = validator;
    }

    /**
     * Validates {@code databases} of {@code m}. Online checks (replication settings, REPLICATION, tables without a
     * key) run when the migration is Online. {@code tuning} says what the migration will leave out as the target's
     * parameters say (large objects, extensions, roles), so that validation judges the migration that will run. Throws {@link org.pgmigrate.engine.EngineException} if the checks
     * themselves cannot run; an unreachable server or a wrong password is a Failed check, not an exception.
     */
    ValidationDetails validate(Migration m, Endpoints endpoints, List<String> databases, MigrationTuning tuning) {
        ValidationReport report = validator.validate(new ValidationRequest(endpoints.source(), endpoints.target(),
                databases, m.spec().migrationMode() == MigrationMode.ONLINE, m.spec().overwriteDbsInTarget(),
                m.spec().migrateRoles(), m.spec().allowReplicaIdentityFull(),
                org.pgmigrate.service.migration.MigrationFilters.of(m.spec().filters()), tuning.skips(),
                tuning.skipRoles() ? MigrationTuning.SKIP_ROLES : null));
        return details(report);
    }

    static ValidationDetails details(ValidationReport report) {
        List<ValidationDetails.DatabaseSummary> dbs = new ArrayList<>();
        for (ValidationReport.DatabaseChecks d : report.databaseLevel()) {
            dbs.add(new ValidationDetails.DatabaseSummary(d.database(), d.startedOn(), d.endedOn(), items(d.summary())));
        }
        return new ValidationDetails(report.status().name(), report.startedOn(), report.endedOn(),
                items(report.serverLevel()), dbs);
    }

    /** Whether {@code m} is to be validated before it migrates (ValidateAndMigrate, Validate) and was not yet. */
    static boolean pending(Migration m) {
        return m.spec().migrationOption() != MigrationOption.MIGRATE && m.validationDetails() == null;
    }

    static boolean passed(ValidationDetails details) {
        return !FAILED.equals(details.status());
    }

    /** Whether the data migration follows: ValidateAndMigrate, and every check Succeeded or Warning. */
    static boolean proceeds(Migration m, ValidationDetails details) {
        return passed(details) && m.spec().migrationOption() == MigrationOption.VALIDATE_AND_MIGRATE;
    }

    /**
     * {@code m} (in ValidationInProgress) with its validation result: ValidationFailed/Completed with the failures
     * as {@code error} when a check failed, Succeeded/Completed for Validate, otherwise still validating (the
     * prerequisites move it on).
     */
    static Migration record(Migration m, ValidationDetails details) {
        Migration x = m.withValidationDetails(details);
        if (!passed(details)) {
            return x.moveTo(MigrationStatus.VALIDATION_FAILED_DONE).withError(failureSummary(details));
        }
        return m.spec().migrationOption() == MigrationOption.VALIDATE ? x.moveTo(MigrationStatus.SUCCEEDED_DONE) : x;
    }

    /**
     * {@code currentStatus.error} of a ValidationFailed migration: every failed check, where, and its failed
     * messages (which say how to fix them), e.g. {@code "Validation failed. shop: ExtensionsValidation: Extension
     * hstore 1.8 is not available on the target. Install ..."}.
     */
    static String failureSummary(ValidationDetails details) {
        List<String> failures = new ArrayList<>();
        for (ValidationDetails.Item item : details.serverLevelValidationDetails()) {
            failed(failures, "server", item);
        }
        for (ValidationDetails.DatabaseSummary d : details.dbLevelValidationDetails()) {
            for (ValidationDetails.Item item : d.summary()) {
                failed(failures, d.databaseName(), item);
            }
        }
        return "Validation failed; no data was migrated. " + String.join(" ", failures);
    }

    private static void failed(List<String> out, String scope, ValidationDetails.Item item) {
        if (!FAILED.equals(item.state())) {
            return;
        }
        List<String> messages = item.messages().stream().filter(msg -> FAILED.equals(msg.state()))
                .map(ValidationDetails.Message::message).toList();
        out.add(scope + ": " + item.type() + ": " + String.join(" ", messages));
    }

    private static List<ValidationDetails.Item> items(List<CheckResult> checks) {
        List<ValidationDetails.Item> items = new ArrayList<>();
        for (CheckResult c : checks) {
            List<ValidationDetails.Message> messages = new ArrayList<>();
            for (CheckResult.Message msg : c.messages()) {
                messages.add(new ValidationDetails.Message(msg.state().name(), msg.message()));
            }
            items.add(new ValidationDetails.Item(c.type(), c.state().name(), messages));
        }
        return items;
    }
}
