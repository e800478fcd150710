package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;
import org.pgmigrate.testkit.tools.NewerPgClients;

/**
 * The proof: a write load runs on the source during the engine's base copy and during change capture; then writes
 * stop, cutover runs, and the comparer finds the target equal to the source (rows, sequences, objects), with the
 * counters matching the work done.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OnlineMigrationIT {

    @TempDir
    Path work;

    @ParameterizedTest(name = "PostgreSQL {0} to {1}")
    @CsvSource({"15, 15", "11, 15", "17, 18"})
    void targetEqualsSourceAfterCutoverUnderAWriteLoad(int sourceVersion, int targetVersion) throws Exception {
        try (PgCluster source = Testbed.cluster(sourceVersion, "online-source");
             PgCluster target = Testbed.cluster(targetVersion, "online-target")) {
            source.createDatabase("shop");
            try (Connection c = source.connect("shop")) {
                SampleDatabase.load(c, 20_000);
            }
            PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
            PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
            ReplicationConfig config = ReplicationConfig.builder("online-" + sourceVersion, from, to,
                    work.resolve("spool")).allowReplicaIdentityFull(true).build();
            Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(
                    List.of(NewerPgClients.forSource(sourceVersion))));
            try (ShopLoad load = new ShopLoad(source, 42L + sourceVersion);
                 OnlineMigration migration = new OnlineMigration(engine,
                         DatabaseJob.of(from, to, work.resolve("job")), new OnlineReplication(config, new PgConnector()))) {
                load.start();
                DatabaseReport report = migration.start(ProgressListener.NONE, new Cancellation());
                assertThat(report.tables()).isNotEmpty();
                long afterCopy = load.writes.get();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> load.writes.get() > afterCopy + 200);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> migration.stats().appliedChanges() > 200);
                load.stop();
                ReplicationStats before = migration.stats();
                assertThat(before.incomingChanges()).isGreaterThanOrEqualTo(before.appliedChanges());
                CutoverResult done = migration.cutover(Duration.ofSeconds(120));
                try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
                    // Cutover refreshed the target's; the source's still shows the data of when it was loaded.
                    s.createStatement().execute("REFRESH MATERIALIZED VIEW shop.sales_by_status");
                    DatabaseComparer.assertEqual(s, t);
                }
                ReplicationStats stats = done.finalStats();
                assertThat(stats.cdcInsertCounter()).isPositive();
                assertThat(stats.incomingChanges()).isEqualTo(stats.appliedChanges());
                assertThat(stats.latency()).isZero();
                assertThat(done.took()).isLessThan(Duration.ofSeconds(30));
                try (Connection c = source.connect("postgres");
                     var rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_replication_slots")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                }
            }
        }
    }

    /**
     * Orders (with the source's audit trigger writing audit_log, a keyless table replicated with REPLICA IDENTITY
     * FULL), order-line changes, price updates, measurement inserts and deletes, in small transactions.
     */
    static final class ShopLoad implements AutoCloseable {
        final AtomicLong writes = new AtomicLong();
        final AtomicLong orderInserts = new AtomicLong();
        private final PgCluster source;
        private final long seed;
        private volatile boolean stopping;
        private volatile Throwable failure;
        private Thread thread;

        private final String database;

        ShopLoad(PgCluster source, long seed) {
            this(source, seed, "shop");
        }

        /** The load on {@code database}, which holds the sample database. */
        ShopLoad(PgCluster source, long seed, String database) {
            this.source = source;
            this.seed = seed;
            this.database = database;
            System.out.println("ShopLoad seed " + seed);
        }

        void start() {
            thread = new Thread(this::run, "shop-load");
            thread.start();
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.join(60_000);
            if (failure != null) {
                throw new AssertionError("load failed (seed " + seed + ")", failure);
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (thread != null && thread.isAlive()) {
                stop();
            }
        }

        private void run() {
            Random random = new Random(seed);
            try (Connection c = source.connect(database); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                int measurement = 1000;
                while (!stopping) {
                    switch (random.nextInt(5)) {
                        case 0 -> {
                            s.execute("INSERT INTO shop.orders (customer_id, status, total, placed_at, note) VALUES ("
                                    + (1 + random.nextInt(100)) + ", 'new', " + random.nextInt(10000) / 100.0
                                    + ", now(), repeat('load ', " + random.nextInt(3000) + "))");
                            orderInserts.incrementAndGet();
                        }
                        case 1 -> s.execute("UPDATE shop.products SET price = price + 0.01, attrs = attrs || '{\"touched\": true}'"
                                + " WHERE sku = 'SKU-" + (1 + random.nextInt(1000)) + "'");
                        case 2 -> s.execute("UPDATE shop.orders SET status = 'paid', note = note WHERE id = "
                                + (1 + random.nextInt(20000)));
                        case 3 -> s.execute("INSERT INTO shop.measurements VALUES (" + measurement++ + ", "
                                + random.nextDouble() + " * 1e10, " + random.nextDouble() + ", " + random.nextFloat()
                                + ", " + random.nextLong() + ", '{1,2}', '{" + random.nextDouble() + "}')");
                        default -> s.execute("DELETE FROM shop.measurements WHERE id = " + (measurement - 1));
                    }
                    c.commit();
                    writes.incrementAndGet();
                }
            } catch (SQLException | RuntimeException e) {
                failure = e;
            }
        }
    }
}
