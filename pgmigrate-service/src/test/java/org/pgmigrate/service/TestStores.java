package org.pgmigrate.service;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
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
        String database = "store_" + Integer.toHexString(dataDir.toAbsolutePath().normalize().toString().hashCode())
                .toLowerCase(Locale.ROOT);
        return store(database);
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
