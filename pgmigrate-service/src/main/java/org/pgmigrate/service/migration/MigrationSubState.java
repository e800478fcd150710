package org.pgmigrate.service.migration;

/** {@code currentSubStateDetails.currentSubState}: the twelve values of the spec's MigrationSubstate. */
public enum MigrationSubState {
    PERFORMING_PRE_REQUISITE_STEPS("PerformingPreRequisiteSteps"),
    WAITING_FOR_LOGICAL_REPLICATION_SETUP_REQUEST_ON_SOURCE_DB("WaitingForLogicalReplicationSetupRequestOnSourceDB"),
    WAITING_FOR_DBS_TO_MIGRATE_SPECIFICATION("WaitingForDBsToMigrateSpecification"),
    WAITING_FOR_TARGET_DB_OVERWRITE_CONFIRMATION("WaitingForTargetDBOverwriteConfirmation"),
    WAITING_FOR_DATA_MIGRATION_SCHEDULING("WaitingForDataMigrationScheduling"),
    WAITING_FOR_DATA_MIGRATION_WINDOW("WaitingForDataMigrationWindow"),
    MIGRATING_DATA("MigratingData"),
    WAITING_FOR_CUTOVER_TRIGGER("WaitingForCutoverTrigger"),
    COMPLETING_MIGRATION("CompletingMigration"),
    COMPLETED("Completed"),
    CANCELING_REQUESTED_DB_MIGRATIONS("CancelingRequestedDBMigrations"),
    VALIDATION_IN_PROGRESS("ValidationInProgress");

    private final String wireName;

    MigrationSubState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Substates in which a worker has something to do (as opposed to waiting for a person or for time). */
    public boolean needsWorker() {
        return switch (this) {
            case PERFORMING_PRE_REQUISITE_STEPS, VALIDATION_IN_PROGRESS, MIGRATING_DATA, COMPLETING_MIGRATION,
                    CANCELING_REQUESTED_DB_MIGRATIONS, WAITING_FOR_CUTOVER_TRIGGER -> true;
            default -> false;
        };
    }

    /** Before any data moved: properties such as dbsToMigrate or the servers may still change. */
    public boolean beforeDataMigration() {
        return switch (this) {
            case PERFORMING_PRE_REQUISITE_STEPS, WAITING_FOR_LOGICAL_REPLICATION_SETUP_REQUEST_ON_SOURCE_DB,
                    WAITING_FOR_DBS_TO_MIGRATE_SPECIFICATION, WAITING_FOR_TARGET_DB_OVERWRITE_CONFIRMATION,
                    WAITING_FOR_DATA_MIGRATION_SCHEDULING, WAITING_FOR_DATA_MIGRATION_WINDOW -> true;
            default -> false;
        };
    }
}
