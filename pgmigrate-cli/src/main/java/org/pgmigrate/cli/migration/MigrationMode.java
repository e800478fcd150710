package org.pgmigrate.cli.migration;

import java.util.Locale;
import org.pgmigrate.cli.output.Choice;

/** {@code --migration-mode}: az's choices are lower case; the API's values are {@code Offline}/{@code Online}. */
enum MigrationMode {
    OFFLINE, ONLINE;

    /** The API value. */
    String wireValue() {
        return name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses az's spelling in any case. */
    static final class Converter extends Choice<MigrationMode> {
        Converter() {
            super(MigrationMode.class);
        }
    }
}
