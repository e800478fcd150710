package org.pgmigrate.engine;

import java.nio.file.Path;
import java.util.List;
import org.pgmigrate.engine.pg.PgConnector;

/**
 * Process-wide engine configuration, resolved at the edge (CLI flags, service config) and sealed here.
 *
 * @param toolSearchPath directories searched for pg_dump/pg_restore/pg_dumpall besides /usr/lib/postgresql/N/bin
 *                       (the CLI passes its PATH; the engine reads no environment)
 */
public record EngineSettings(List<Path> toolSearchPath, PgConnector connector) {

    public EngineSettings {
        toolSearchPath = List.copyOf(toolSearchPath);
    }

    public static EngineSettings defaults() {
        return new EngineSettings(List.of(), new PgConnector());
    }

    public EngineSettings withToolSearchPath(List<Path> path) {
        return new EngineSettings(path, connector);
    }
}
