package org.pgmigrate.cli.config;

import java.nio.file.Path;

/**
 * The service's data directory, as the CLI and {@code pgmigrate serve} agree on it: {@code --data-dir}, else
 * {@code PGMIGRATE_DATA_DIR}, else {@code ~/.pgmigrate}. It holds {@code token}, {@code endpoint},
 * {@code tls/server.crt} (written by the service) and {@code defaults} (written by {@code pgmigrate configure}).
 */
public record DataDir(Path path) {

    public static final String ENV = "PGMIGRATE_DATA_DIR";

    public DataDir {
        path = path.toAbsolutePath().normalize();
    }

    /** Resolves the directory from the flag (may be null), the environment, or the home directory. */
    public static DataDir resolve(Path flag, Environment env) {
        if (flag != null) {
            return new DataDir(flag);
        }
        return env.get(ENV).map(Path::of).map(DataDir::new)
                .orElseGet(() -> new DataDir(env.userHome().resolve(".pgmigrate")));
    }

    /** The bearer token, one line, mode 0600. */
    public Path tokenFile() {
        return path.resolve("token");
    }

    /** The running service's base URL, one line. */
    public Path endpointFile() {
        return path.resolve("endpoint");
    }

    /** Locked by a running service, and holding its process id from the moment it starts. */
    public Path serveLockFile() {
        return path.resolve("serve.lock");
    }

    /** The service's certificate (PEM): the only certificate the CLI trusts for this service. */
    public Path certificateFile() {
        return path.resolve("tls").resolve("server.crt");
    }

    /** The defaults set by {@code pgmigrate configure --defaults}. */
    public Path defaultsFile() {
        return path.resolve("defaults");
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
