package org.pgmigrate.engine.precheck;

import java.time.Instant;
import java.util.List;

/**
 * The premigration validation (the ARM API's ValidationDetails): server-level checks, then per-database checks.
 */
public record ValidationReport(CheckState status, Instant startedOn, Instant endedOn, List<CheckResult> serverLevel,
                               List<DatabaseChecks> databaseLevel) {

    public ValidationReport {
        serverLevel = List.copyOf(serverLevel);
        databaseLevel = List.copyOf(databaseLevel);
    }

    /** The checks of one database (DbLevelValidationStatus). */
    public record DatabaseChecks(String database, Instant startedOn, Instant endedOn, List<CheckResult> summary) {
        public DatabaseChecks {
            summary = List.copyOf(summary);
        }
    }

    /** True when the migration may move data: every check Succeeded or Warning. */
    public boolean passed() {
        return status != CheckState.Failed;
    }
}
