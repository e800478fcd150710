package org.pgmigrate.service;

import java.nio.file.Path;
import java.util.Map;

/**
 * The service's data directory and the files in it, as {@code pgmigrate serve} and the CLI agree on them:
 * {@code token} (bearer token, 0600), {@code endpoint} (the base URL, written once listening), {@code tls/server.crt}
 * (the certificate the service presents), {@code tls/server.key} (0600, only for a generated certificate),
 * {@code secrets.key} (the AES key for secrets at rest, 0600) and {@code pgmigrate.db} (the SQLite store).
 *
 * <p>Immutable.
 */
public record DataDirectory(Path path) {

    public static final String ENV = "PGMIGRATE_DATA_DIR";

    public DataDirectory {
        path = path.toAbsolutePath().normalize();
    }

    /** {@code --data-dir} (may be null), else {@code PGMIGRATE_DATA_DIR}, else {@code ~/.pgmigrate}. */
    public static DataDirectory resolve(Path flag, Map<String, String> environment, Path userHome) {
        if (flag != null) {
            return new DataDirectory(flag);
        }
        String fromEnv = environment.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new DataDirectory(Path.of(fromEnv.trim()));
        }
        return new DataDirectory(userHome.resolve(".pgmigrate"));
    }

    public Path token() {
        return path.resolve("token");
    }

    public Path endpoint() {
        return path.resolve("endpoint");
    }

    public Path tlsCertificate() {
        return path.resolve("tls").resolve("server.crt");
    }

    public Path tlsKey() {
        return path.resolve("tls").resolve("server.key");
    }

    public Path secretsKey() {
        return path.resolve("secrets.key");
    }

    public Path store() {
        return path.resolve("pgmigrate.db");
    }

    /** The engine's per-database files (schema archives, restore lists), one directory per migration. */
    public Path work() {
        return path.resolve("work");
    }

    /** Held (file lock) by the running service, so that two services never share one store. */
    public Path lock() {
        return path.resolve("serve.lock");
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
