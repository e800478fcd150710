package org.pgmigrate.service.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Map;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.RetryWindow;
import org.pgmigrate.service.store.ServerStore;
import org.pgmigrate.service.store.ServiceStore;
import org.pgmigrate.service.store.SourceCleanupStore;
import org.pgmigrate.service.store.jdbc.JdbcMigrationStore;
import org.pgmigrate.service.store.jdbc.JdbcServerStore;
import org.pgmigrate.service.store.jdbc.JdbcSourceCleanupStore;
import org.pgmigrate.service.store.jdbc.SqlWork;
import org.pgmigrate.service.store.jdbc.Transactions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared store: a PostgreSQL database that several service nodes use at once ({@code serve --store
 * postgresql://...}), its tables in the schema {@value PostgresSchema#SCHEMA}, versioned by {@link PostgresSchema}.
 * Connections come from a small HikariCP pool; each store call is one transaction on one pooled connection, and a
 * migration's read-modify-write locks its row ({@code SELECT ... FOR UPDATE}), so nodes never overwrite each other.
 * Leases use the server's clock, so the nodes' clocks need not agree. A store that cannot be reached, restarts or
 * has no free connection is retried for the busy window, then reported as
 * {@link org.pgmigrate.service.store.StoreUnavailableException} (workers wait, the API answers 503), as with SQLite.
 *
 * <p>Every session pins {@code search_path=pg_catalog,pg_temp}, and every statement names the store's schema: a
 * table or function someone creates in {@code public} is never used. Thread-safe.
 */
public final class PostgresStore implements ServiceStore, Transactions {

    private final StoreLocation location;
    private final HikariDataSource pool;
    private final JdbcMigrationStore migrations;
    private final JdbcServerStore servers;
    private final JdbcSourceCleanupStore sourceCleanups;
    private volatile Duration busyWindow = Duration.ofMinutes(2);

    private PostgresStore(StoreLocation location, HikariDataSource pool) {
        this.location = location;
        this.pool = pool;
        this.migrations = new JdbcMigrationStore(this, PostgresDialect.INSTANCE);
        this.servers = new JdbcServerStore(this, PostgresDialect.INSTANCE);
        this.sourceCleanups = new JdbcSourceCleanupStore(this, PostgresDialect.INSTANCE, migrations);
    }

    /**
     * Connects, creates the schema or upgrades it, and returns the store. {@code nodeName} shows in
     * {@code pg_stat_activity.application_name}. An unreachable store, a wrong password or missing privileges are
     * an {@link IllegalStateException} naming the store (never its password) and the cause.
     */
    public static PostgresStore open(StoreLocation location, String nodeName) {
        return open(location, nodeName, PostgresSchema.CURRENT);
    }

    /** Opens at {@code schemaVersion} (tests build older stores with it). */
    static PostgresStore open(StoreLocation location, String nodeName, int schemaVersion) {
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(location, nodeName));
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("Cannot open the store " + location.describe() + ": " + cause.getMessage()
                    + ". Check that the server runs, that the database exists, and the password (--store-password-file,"
                    + " PGPASSWORD or ~/.pgpass).", e);
        }
        try (Connection c = pool.getConnection()) {
            PostgresSchema.apply(c, location.describe(), schemaVersion);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new IllegalStateException("Cannot open the store " + location.describe() + ": " + e.getMessage()
                    + (e instanceof SQLException s && "42501".equals(s.getSQLState())
                    ? ". The store's user needs to own the database, or have CREATE on it, to create the schema "
                            + PostgresSchema.SCHEMA + "." : ""), e);
        }
        return new PostgresStore(location, pool);
    }

    private static HikariConfig poolConfig(StoreLocation location, String nodeName) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {location.host()});
        ds.setPortNumbers(new int[] {location.port()});
        ds.setDatabaseName(location.database());
        ds.setUser(location.user());
        if (location.password() != null) {
            ds.setPassword(location.password());
        }
        ds.setApplicationName(("pgmigrate-store " + nodeName).substring(0, Math.min(63, 16 + nodeName.length())));
        // pgmigrate's SQL names the store's schema, and sees only pg_catalog besides
        ds.setOptions("-c search_path=pg_catalog,pg_temp");
        ds.setConnectTimeout(10);
        ds.setTcpKeepAlive(true);
        // a store that stops answering fails the call (and it is retried) rather than hanging a worker forever
        ds.setSocketTimeout(60);
        for (Map.Entry<String, String> p : location.parameters().entrySet()) {
            switch (p.getKey()) {
                case "sslmode" -> ds.setSslMode(p.getValue());
                case "sslrootcert" -> ds.setSslRootCert(p.getValue());
                case "sslcert" -> ds.setSslCert(p.getValue());
                case "sslkey" -> ds.setSslKey(p.getValue());
                case "connect_timeout" -> ds.setConnectTimeout(Integer.parseInt(p.getValue()));
                default -> throw new IllegalArgumentException("Unsupported store parameter " + p.getKey());
            }
        }
        HikariConfig config = new HikariConfig();
        config.setDataSource(ds);
        config.setPoolName("pgmigrate-store");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        config.setAutoCommit(true);
        return config;
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
        return location.describe();
    }

    @Override
    public int schemaVersion() {
        try (Connection c = pool.getConnection()) {
            return PostgresSchema.version(c);
        } catch (SQLException e) {
            throw new IllegalStateException("Store " + describe() + ": " + e.getMessage(), e);
        }
    }

    /** How long an unavailable store is retried before callers are told (tests shorten it). */
    public PostgresStore withBusyWindow(Duration window) {
        this.busyWindow = window;
        return this;
    }

    /**
     * Runs {@code work} in one transaction on a pooled connection; rolls back when it throws. A lost connection, a
     * server shutting down or starting, no free connection, a full disk, a serialization failure or a deadlock
     * is retried within the busy window.
     */
    @Override
    public <T> T inTransaction(SqlWork<T> work) {
        return RetryWindow.run(describe(), busyWindow, "Check that the store's PostgreSQL server runs and accepts "
                + "connections.", () -> attempt(work));
    }

    private <T> T attempt(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return Transactions.runIn(c, work);
        } catch (SQLException e) {
            if (isTransient(e)) {
                throw new RetryWindow.TransientFailure(e);
            }
            throw new IllegalStateException("Store " + describe() + ": " + e.getMessage(), e);
        }
    }

    /** Conditions that pass by themselves, by SQLSTATE. */
    static boolean isTransient(SQLException e) {
        if (e instanceof SQLTransientException) {
            return true; // e.g. no pooled connection within the timeout
        }
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03") || state.equals("53300") || state.equals("53100")
                || state.equals("40001") || state.equals("40P01"));
    }

    @Override
    public void close() {
        pool.close();
    }
}
