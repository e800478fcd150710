package org.pgmigrate.cli.config;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir}: mixed into every command that talks to the service or reads defaults. */
public final class DataDirOption {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The service's data directory (token, endpoint, certificate, defaults). "
                    + "Default: $PGMIGRATE_DATA_DIR, else ~/.pgmigrate.")
    Path dataDir;

    public DataDir resolve(Environment env) {
        return DataDir.resolve(dataDir, env);
    }
}
