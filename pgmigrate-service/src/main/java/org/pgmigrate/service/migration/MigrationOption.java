package org.pgmigrate.service.migration;

/** {@code migrationOption}: validate only, migrate only, or both (the default). */
public enum MigrationOption {
    VALIDATE("Validate"),
    MIGRATE("Migrate"),
    VALIDATE_AND_MIGRATE("ValidateAndMigrate");

    private final String wireName;

    MigrationOption(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
