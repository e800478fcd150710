package org.pgmigrate.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pgmigrate.cli.config.Environment;
import org.pgmigrate.cli.config.ToolDirectories;
import org.pgmigrate.engine.pg.PgEndpoint;

/** Turns command-line connection strings into endpoints, with the environment (PG* variables, PATH) applied here. */
public final class Endpoints {

    private Endpoints() {
    }

    /** Parses {@code value} given for {@code option}; a malformed value is the user's error, named with its option. */
    public static PgEndpoint parse(String option, String value) {
        try {
            return PgEndpoint.parse(value, System.getenv());
        } catch (IllegalArgumentException e) {
            throw CliException.invalidInput(option + ": " + e.getMessage());
        }
    }

    /** True when the connection string itself holds a password (not PGPASSWORD or ~/.pgpass): ps shows it. */
    public static boolean writesPassword(String value) {
        try {
            return PgEndpoint.parse(value, Map.of()).password() != null;
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    /** Where pg_dump may live besides /usr/lib/postgresql/N/bin: see {@link ToolDirectories}. */
    public static List<Path> toolSearchPath() {
        return ToolDirectories.from(Environment.system());
    }
}
