package org.pgmigrate.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.pgmigrate.service.store.postgres.StoreLocation;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * Which store the service tests run on. SQLite by default; with {@code -Dpgmigrate.test.store=postgresql} every
 * service a test starts (in process through {@link #defaults}, or as a child JVM through {@link ServiceProcesses})
 * keeps its state in a PostgreSQL store instead: one test cluster per JVM, started at first use, and one database
 * per data dir, so that a service started again on the same data dir finds its store again.
 */
public final class TestStores {

    public static final String PROPERTY = "pgmigrate.test.store";
    private static PgCluster cluster;
    private static final Set<String> DATABASES = new HashSet<>();

    private TestStores() {
    }

    /** Whether this run keeps the services' state in PostgreSQL. */
    public static boolean postgres() {
        return "postgresql".equalsIgnoreCase(System.getProperty(PROPERTY, "sqlite"));
    }

    /** {@link ServiceConfig#defaults} on the store this run uses. */
    public static ServiceConfig defaults(DataDirectory dir) {
        ServiceConfig config = ServiceConfig.defaults(dir);
        return postgres() ? config.withStore(storeFor(dir.path())) : config;
    }

    /** The PostgreSQL store of a data dir (with its password), created at first use. */
    public static synchronized StoreLocation storeFor(Path dataDir) {
        return store(databaseFor(dataDir));
    }

    private static String databaseFor(Path dataDir) {
        return "store_" + Integer.toHexString(dataDir.toAbsolutePath().normalize().toString().hashCode())
                .toLowerCase(Locale.ROOT);
    }

    /**
     * Makes the store of a data dir unavailable until the returned outage is closed: SQLite's file held by another
     * process in an exclusive transaction, or the PostgreSQL store's server stopped (it comes back with the same data
     * and port). Only for a test that runs alone in its JVM's store: the PostgreSQL server is that of every store of
     * this JVM.
     */
    public static AutoCloseable outage(DataDirectory dir) throws SQLException {
        if (!postgres()) {
            Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.store());
            Statement s = other.createStatement();
            s.execute("BEGIN EXCLUSIVE");
            return () -> {
                try (other; s) {
                    s.execute("ROLLBACK");
                }
            };
        }
        storeFor(dir.path());
        PgCluster server;
        synchronized (TestStores.class) {
            server = cluster;
        }
        server.stop();
        return server::startAgain;
    }

    /**
     * Everything the store of a data dir holds, as text, for tests that grep it (a password must never be in it):
     * the bytes of the SQLite file and its WAL, or every row of every table of the PostgreSQL store's schema.
     */
    public static String contents(Path dataDir) {
        StringBuilder text = new StringBuilder();
        if (!postgres()) {
            for (String file : new String[] {"pgmigrate.db", "pgmigrate.db-wal"}) {
                Path p = dataDir.resolve(file);
                try {
                    if (Files.exists(p)) {
                        text.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return text.toString();
        }
        String database = databaseFor(dataDir);
        synchronized (TestStores.class) {
            if (!DATABASES.contains(database)) {
                throw new IllegalStateException("No PostgreSQL store was made for " + dataDir);
            }
        }
        try (Connection c = cluster.connect(database); Statement s = c.createStatement()) {
            Set<String> tables = new TreeSet<>();
            try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_catalog.pg_tables "
                    + "WHERE schemaname = 'pgmigrate'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            if (!tables.contains("migrations")) {
                throw new IllegalStateException("The store " + database + " has no tables: " + tables);
            }
            for (String table : tables) {
                // names from the catalog of a schema the store created: plain identifiers
                try (ResultSet rs = s.executeQuery("SELECT t::text FROM pgmigrate." + table + " t")) {
                    while (rs.next()) {
                        text.append(rs.getString(1)).append('\n');
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    /** A PostgreSQL store named {@code database} in this JVM's store cluster, created at first use. */
    public static synchronized StoreLocation store(String database) {
        if (cluster == null) {
            cluster = PgCluster.builder().version(15).name("test-store").start();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        }
        if (DATABASES.add(database)) {
            cluster.createDatabase(database);
        }
        return StoreLocation.parse("postgresql://" + cluster.superuser() + "@" + cluster.host() + ":" + cluster.port()
                + "/" + database).withPassword(cluster.password());
    }
}
