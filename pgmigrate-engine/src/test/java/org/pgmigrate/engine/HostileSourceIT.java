package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.cdc.CutoverResult;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.verify.VerificationReport;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.HostileDatabase;
import org.pgmigrate.testkit.data.SampleDatabase;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * A source database whose owner planted functions, aggregates, operators and catalog look-alikes in {@code public}
 * shadowing the built-ins, with {@code search_path = public, pg_catalog} and value-printing settings on the database
 * (testkit {@link HostileDatabase}): offline migration, verification and an online migration through cutover never
 * call a planted object (each would raise), and the target equals the source.
 */
@Timeout(300)
class HostileSourceIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(
            PgCluster.builder().name("hostile-source").setting("logical_decoding_work_mem", "'64kB'"),
            PgCluster.builder().name("hostile-target"));
    static PgCluster source;
    static PgCluster target;

    @TempDir
    Path work;

    @BeforeAll
    static void plant() throws SQLException {
        source = clusters.source();
        target = clusters.target();
        for (String db : new String[] {"offline", "online"}) {
            source.createDatabase(db);
            try (Connection c = source.connect(db)) {
                SampleDatabase.load(c, 3_000);
                HostileDatabase.plant(c);
                assertThat(HostileDatabase.plantedCount(c)).as("planted functions and operators").isGreaterThan(300);
            }
        }
        // The traps work: a session that keeps the database's search_path calls them.
        try (Connection c = source.connect("offline"); Statement s = c.createStatement()) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                    () -> s.executeQuery("SELECT current_setting('server_version_num')")))
                    .hasMessageContaining("pgmigrate called the planted public.current_setting");
        }
    }

    @Test
    void offlineMigrationAndVerificationNeverCallPlantedObjects() throws Exception {
        Engine engine = new Engine(EngineSettings.defaults());
        PgEndpoint from = PgEndpoint.parse(source.uri("offline"));
        PgEndpoint to = PgEndpoint.parse(target.uri("offline"));
        DatabaseReport report = engine.migrateDatabase(DatabaseJob.of(from, to, work.resolve("job")),
                ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());
        assertThat(report.verification()).isNotNull();
        assertThat(report.verification().equal()).isTrue();

        VerificationReport again = engine.verifyDatabase(from, to, 2, 100, new Cancellation());
        assertThat(again.equal()).as(again.describeMismatches()).isTrue();
        assertThat(again.tables()).hasSameSizeAs(report.verification().tables());

        try (Connection s = pinned(source, "offline"); Connection t = pinned(target, "offline")) {
            DatabaseComparer.assertEqual(s, t);
            assertThat(HostileDatabase.plantedCount(t)).as("the planted objects are data too: they were copied")
                    .isEqualTo(HostileDatabase.plantedCount(s));
        }
    }

    @Test
    void onlineMigrationThroughCutoverNeverCallsPlantedObjects() throws Exception {
        PgEndpoint from = PgEndpoint.parse(source.uri("online"));
        PgEndpoint to = PgEndpoint.parse(target.uri("online"));
        ReplicationConfig config = ReplicationConfig.builder("hostile-online", from, to, work.resolve("spool"))
                .allowReplicaIdentityFull(true).monitorInterval(Duration.ofMillis(200)).build();
        try (OnlineMigration migration = new OnlineMigration(new Engine(EngineSettings.defaults()),
                DatabaseJob.of(from, to, work.resolve("job")), new OnlineReplication(config, new PgConnector()))) {
            migration.start(ProgressListener.NONE, new Cancellation());
            try (Connection c = pinned(source, "online"); Statement s = c.createStatement()) {
                s.execute("INSERT INTO shop.orders (customer_id, status, total, placed_at, note)"
                        + " SELECT 1 + g % 50, 'new', g, now(), repeat('x', g) FROM generate_series(1, 200) g");
                s.execute("UPDATE shop.products SET price = price + 1 WHERE sku LIKE '%1'");
                s.execute("DELETE FROM shop.measurements WHERE id % 7 = 0");
                s.execute("SELECT nextval('shop.orders_id_seq')");
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> migration.stats().appliedChanges() >= 200);
            CutoverResult done = migration.cutover(Duration.ofSeconds(120));
            assertThat(done.finalStats().incomingChanges()).isEqualTo(done.finalStats().appliedChanges());
        }
        try (Connection s = pinned(source, "online"); Connection t = pinned(target, "online")) {
            s.createStatement().execute("REFRESH MATERIALIZED VIEW shop.sales_by_status");
            DatabaseComparer.assertEqual(s, t);
        }
    }

    /** The test's own sessions pin search_path too, or its SQL would call the traps. */
    private static Connection pinned(PgCluster cluster, String db) throws SQLException {
        Connection c = cluster.connect(db);
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path = pg_catalog");
        }
        return c;
    }
}
