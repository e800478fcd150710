package org.pgmigrate.cli.migration;

import org.pgmigrate.cli.output.Choice;

/** {@code --migration-option}, with the API's spelling. */
enum MigrationOption {
    VALIDATE("Validate"),
    VALIDATE_AND_MIGRATE("ValidateAndMigrate"),
    MIGRATE("Migrate");

    private final String wireValue;

    MigrationOption(String wireValue) {
        this.wireValue = wireValue;
    }

    @Override
    public String toString() {
        return wireValue;
    }

    /** Parses az's spelling in any case. */
    static final class Converter extends Choice<MigrationOption> {
        Converter() {
            super(MigrationOption.class);
        }
    }
}
