package org.pgmigrate.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.pgmigrate.service.security.PrivateFiles;

/**
 * The service's data directory and the files in it, as {@code pgmigrate serve} and the CLI agree on them:
 * {@code token} (bearer token, 0600), {@code endpoint} (the base URL, written once listening), {@code tls/server.crt}
 * (the certificate the service presents), {@code tls/server.key} (0600, only for a generated certificate),
 * {@code secrets.key} (the AES key for secrets at rest, 0600) and {@code pgmigrate.db} (the SQLite store).
 *
 * <p>The directory is private to the service's OS user (0700). Immutable.
 */
public record DataDirectory(Path path) {

    public static final String ENV = "PGMIGRATE_DATA_DIR";

    /** What pgmigrate keeps in the directory (and the temporary files it writes them through). */
    private static final Set<String> OWN_FILES = Set.of("token", "endpoint", "tls", "secrets.key", "pgmigrate.db",
            "pgmigrate.db-wal", "pgmigrate.db-shm", "pgmigrate.db-journal", "work", "serve.lock");

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

    /**
     * Creates the directory with mode 0700, or makes an existing one 0700. An existing directory open to other users
     * is tightened only when it holds nothing but pgmigrate's files (or nothing): a directory with other files in it
     * (a home directory, /tmp, /var/lib given by mistake) is not pgmigrate's to change, and is refused.
     *
     * @throws DataDirectoryException when the directory cannot be created or made private
     */
    public void createPrivate() {
        try {
            if (Files.isDirectory(path) && openToOthers()) {
                List<String> foreign;
                try (Stream<Path> entries = Files.list(path)) {
                    foreign = entries.map(e -> e.getFileName().toString()).filter(n -> !isOwnFile(n)).sorted()
                            .limit(3).toList();
                }
                if (!foreign.isEmpty()) {
                    throw new DataDirectoryException(this, "it is open to other users (mode "
                            + PosixFilePermissions.toString(Files.getPosixFilePermissions(path)) + ") and holds files "
                            + "that are not pgmigrate's (" + String.join(", ", foreign) + "), so pgmigrate does not "
                            + "change its mode. Use a directory of its own (pgmigrate creates it), or make this one "
                            + "private yourself (chmod 700 " + path + ")", null);
                }
            }
            PrivateFiles.createDirectory(path);
        } catch (IOException e) {
            throw new DataDirectoryException(this, FileErrors.describe(e), e);
        } catch (UncheckedIOException e) {
            throw new DataDirectoryException(this, e.getMessage(), e);
        }
    }

    private boolean openToOthers() throws IOException {
        if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        return perms.stream().anyMatch(p -> !p.name().startsWith("OWNER_"));
    }

    private static boolean isOwnFile(String name) {
        // PrivateFiles writes through ".<name><random>.tmp" files
        return OWN_FILES.contains(name) || (name.startsWith(".") && name.endsWith(".tmp"));
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
