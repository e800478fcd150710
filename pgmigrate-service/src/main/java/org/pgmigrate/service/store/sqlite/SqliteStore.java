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
import java.time.Duration;
import org.pgmigrate.service.FileErrors;
import org.pgmigrate.service.security.PrivateFiles;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.RetryWindow;
import org.pgmigrate.service.store.ServiceStore;
import org.pgmigrate.service.store.ServerStore;
import org.pgmigrate.service.store.SourceCleanupStore;
import org.pgmigrate.service.store.jdbc.JdbcMigrationStore;
import org.pgmigrate.service.store.jdbc.JdbcServerStore;
import org.pgmigrate.service.store.jdbc.JdbcSourceCleanupStore;
import org.pgmigrate.service.store.jdbc.SqlWork;
import org.pgmigrate.service.store.jdbc.Transactions;

/**
 * The embedded store: one SQLite file in the data dir, in WAL mode with {@code synchronous=FULL} (a write is on disk
 * when it returns, so checkpoints survive a kill -9 or a power cut), its schema versioned by
 * {@link SchemaMigrations}. The file is created with mode 0600 (an existing one is tightened to it): it holds the
 * migrations' sealed secrets and checkpoints.
 *
 * <p>Thread-safe: all access goes through one connection, serialized on this object; SQLite has one writer anyway,
 * and the service's writes are small.
 */
public final class SqliteStore implements ServiceStore, Transactions {

    private final Connection connection;
    private final Path file;
    private final JdbcMigrationStore migrations;
    private final JdbcServerStore servers;
    private final JdbcSourceCleanupStore sourceCleanups;
    private volatile Duration busyWindow = Duration.ofMinutes(2);

    private SqliteStore(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
        this.migrations = new JdbcMigrationStore(this, SqliteDialect.INSTANCE);
        this.servers = new JdbcServerStore(this, SqliteDialect.INSTANCE);
        this.sourceCleanups = new JdbcSourceCleanupStore(this, SqliteDialect.INSTANCE, migrations);
    }

    /** Opens (creating and upgrading as needed) the store at {@code file}. */
    public static SqliteStore open(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the store " + file + ": " + FileErrors.describe(e), e);
        }
        // SQLite gives its -wal and -shm files the mode of the database file; older ones are tightened too
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path f = file.resolveSibling(file.getFileName() + suffix);
            if (Files.exists(f)) {
                PrivateFiles.restrictToOwner(f);
            }
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

    @Override
    public MigrationStore migrations() {
        return migrations;
    }

    @Override
    public ServerStore servers() {
        return servers;
    }

    @Override
    public SourceCleanupStore sourceCleanups() {
        return sourceCleanups;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public int schemaVersion() {
        return SchemaMigrations.CURRENT;
    }

    /** The schema version this build writes (the PostgreSQL store's has the same numbers). */
    public static int currentSchemaVersion() {
        return SchemaMigrations.CURRENT;
    }

    /**
     * Runs {@code work} alone on the connection, in one transaction; rolls back when it throws. A busy, full or
     * failing store file (SQLITE_BUSY after the busy timeout, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR) is retried
     * for up to {@link #busyWindow}, without holding the connection between attempts, then reported as
     * {@link org.pgmigrate.service.store.StoreUnavailableException}: a condition to wait out, never a reason to fail a migration.
     */
    @Override
    public <T> T inTransaction(SqlWork<T> work) {
        return RetryWindow.run(file.toString(), busyWindow, "Another process may hold it (a backup, an sqlite3 shell), "
                + "or its disk is full.", () -> attempt(work));
    }

    private synchronized <T> T attempt(SqlWork<T> work) {
        try {
            return Transactions.runIn(connection, work);
        } catch (SQLException e) {
            if (isTransient(e)) {
                throw new RetryWindow.TransientFailure(e);
            }
            throw new IllegalStateException("Store " + file + ": " + e.getMessage(), e);
        }
    }

    /** SQLITE_BUSY (5), SQLITE_LOCKED (6), SQLITE_IOERR (10), SQLITE_FULL (13), by their primary result code. */
    private static boolean isTransient(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == 5 || primary == 6 || primary == 10 || primary == 13;
    }

    /**
     * How long a busy or failing store is retried before {@link org.pgmigrate.service.store.StoreUnavailableException} (tests shorten it). SQLite's
     * own busy timeout, which each attempt waits, stays within it.
     */
    public synchronized SqliteStore withBusyWindow(Duration window) {
        this.busyWindow = window;
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + Math.max(100, Math.min(10_000, window.toMillis() / 2)));
        } catch (SQLException e) {
            throw new IllegalStateException("Store " + file + ": " + e.getMessage(), e);
        }
        return this;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot close the store " + file + ": " + e.getMessage(), e);
        }
    }
}
