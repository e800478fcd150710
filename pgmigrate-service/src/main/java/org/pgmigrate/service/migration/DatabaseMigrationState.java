package org.pgmigrate.service.migration;

/** {@code dbDetails.<db>.migrationState}: the spec's MigrationDatabaseState. */
public enum DatabaseMigrationState {
    IN_PROGRESS("InProgress"),
    WAITING_FOR_CUTOVER_TRIGGER("WaitingForCutoverTrigger"),
    FAILED("Failed"),
    CANCELED("Canceled"),
    SUCCEEDED("Succeeded"),
    CANCELING("Canceling");

    private final String wireName;

    DatabaseMigrationState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isFinished() {
        return this == FAILED || this == CANCELED || this == SUCCEEDED;
    }
}
