package org.pgmigrate.service.migration;

/** {@code migrationMode}. The CLI sends it lower-case; the service answers {@code Offline}/{@code Online}. */
public enum MigrationMode {
    OFFLINE("Offline"),
    ONLINE("Online");

    private final String wireName;

    MigrationMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
