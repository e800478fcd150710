package org.pgmigrate.service.store.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.ServerStore;
import org.pgmigrate.service.store.SourceCleanupStore;

/**
 * The embedded store: one SQLite file in the data dir, in WAL mode with {@code synchronous=FULL} (a write is on disk
 * when it returns, so checkpoints survive a kill -9 or a power cut), its schema versioned by
 * {@link SchemaMigrations}. The file is created with mode 0600.
 *
 * <p>Thread-safe: all access goes through one connection, serialized on this object; SQLite has one writer anyway,
 * and the service's writes are small.
 */
public final class SqliteStore implements AutoCloseable {

    private final Connection connection;
    private final Path file;
    private final SqliteMigrationStore migrations;
    private final SqliteServerStore servers;
    private final SqliteSourceCleanupStore sourceCleanups;

    private SqliteStore(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
        this.migrations = new SqliteMigrationStore(this);
        this.servers = new SqliteServerStore(this);
        this.sourceCleanups = new SqliteSourceCleanupStore(this);
    }

    /** Opens (creating and upgrading as needed) the store at {@code file}. */
    public static SqliteStore open(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the store " + file + ": " + e.getMessage(), e);
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = FULL");
                s.execute("PRAGMA foreign_keys = ON");
                s.execute("PRAGMA busy_timeout = 10000");
            }
            SchemaMigrations.apply(c, file.toString());
            return new SqliteStore(c, file);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot open the store " + file + ": " + e.getMessage(), e);
        }
    }

    public MigrationStore migrations() {
        return migrations;
    }

    public ServerStore servers() {
        return servers;
    }

    public SourceCleanupStore sourceCleanups() {
        return sourceCleanups;
    }

    /** The schema version this build writes. */
    public static int schemaVersion() {
        return SchemaMigrations.CURRENT;
    }

    /** Runs {@code work} alone on the connection, in one transaction; rolls back when it throws. */
    synchronized <T> T inTransaction(SqlWork<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Store " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot close the store " + file + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }
}
