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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.pgmigrate.service.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.pgmigrate.service.FileErrors;
import org.pgmigrate.service.security.PrivateFiles;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.ServerStore;
import org.pgmigrate.service.store.SourceCleanupStore;

/**
 * The embedded store: one SQLite file in the data dir, in WAL mode with {@code synchronous=FULL} (a write is on disk
 * when it returns, so checkpoints survive a kill -9 or a power cut), its schema versioned by
 * {@link SchemaMigrations}. The file is created with mode 0600 (an existing one is tightened to it): it holds the
 * migrations' sealed secrets and checkpoints.
 *
 * <p>Thread-safe: all access goes through one connection, serialized on this object; SQLite has one writer anyway,
 * and the service's writes are small.
 */
public final class SqliteStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

    private final Connection connection;
    private final Path file;
    private final SqliteMigrationStore migrations;
    private final SqliteServerStore servers;
    private final SqliteSourceCleanupStore sourceCleanups;
    private volatile Duration busyWindow = Duration.ofMinutes(2);

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

    /**
     * Runs {@code work} alone on the connection, in one transaction; rolls back when it throws. A busy, full or
     * failing store file (SQLITE_BUSY after the busy timeout, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR) is retried
     * for up to {@link #busyWindow}, without holding the connection between attempts, then reported as
     * {@link StoreUnavailableException}: a condition to wait out, never a reason to fail a migration.
     */
    <T> T inTransaction(SqlWork<T> work) {
        long started = System.nanoTime();
        long backoff = 200;
        while (true) {
            try {
                return attempt(work);
            } catch (TransientStoreError e) {
                long elapsed = System.nanoTime() - started;
                if (elapsed >= busyWindow.toNanos()) {
                    throw new StoreUnavailableException("The service's store " + file + " is unavailable: "
                            + e.getCause().getMessage() + " (for " + TimeUnit.NANOSECONDS.toSeconds(elapsed) + " s)."
                            + " Another process may hold it (a backup, an sqlite3 shell), or its disk is full.",
                            e.getCause());
                }
                LOG.warn("Store {} busy or failing ({}); retrying in {} ms", file, e.getCause().getMessage(), backoff);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(5_000, backoff * 2);
            }
        }
    }

    private synchronized <T> T attempt(SqlWork<T> work) {
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
            if (isTransient(e)) {
                throw new TransientStoreError(e);
            }
            throw new IllegalStateException("Store " + file + ": " + e.getMessage(), e);
        }
    }

    /** SQLITE_BUSY (5), SQLITE_LOCKED (6), SQLITE_IOERR (10), SQLITE_FULL (13), by their primary result code. */
    private static boolean isTransient(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == 5 || primary == 6 || primary == 10 || primary == 13;
    }

    /** Carries a transient SQLite error out of the synchronized attempt, to be retried. */
    private static final class TransientStoreError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TransientStoreError(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /**
     * How long a busy or failing store is retried before {@link StoreUnavailableException} (tests shorten it). SQLite's
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

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }
}
