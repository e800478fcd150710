package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pgmigrate.engine.cdc.ReplicationNames;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * A service killed with SIGKILL at each step of an online cutover resumes to Succeeded, with the target equal to
 * the source and nothing left on either server. Each step is held deterministically by a lock that its statement
 * waits for (seen in pg_stat_activity), the node is killed there, the lock is released, and a new node starts.
 * Two steps run in the default suite, the other three in the slow profile.
 */
@Timeout(900)
class CutoverKillIT {

    private static final String TARGET = "cutover-kill-target";
    private static PgCluster source;
    private static PgCluster target;
    private Path dataDir;
    private ServiceProcesses nodes;

    /** Where the cutover is held: on which server, by which statement, and what the API shows meanwhile. */
    enum Step {
        DRAIN(false, "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", "Cutting over: apply every change up to the end point"),
        SEQUENCES(false, "ALTER SEQUENCE orders_id_seq CACHE 1", "Cutting over: set sequences"),
        MATERIALIZED_VIEWS(false, "SELECT count(*) FROM totals", "Cutting over: refresh materialized views"),
        SOURCE_CLEANUP(true, "COMMENT ON PUBLICATION %s IS 'held by the test'", "Cutting over: drop the replication slot"),
        VERIFICATION(false, "LOCK TABLE static_data IN ACCESS EXCLUSIVE MODE", "Verifying");

        final boolean onSource;
        final String hold;
        final String operation;

        Step(boolean onSource, String hold, String operation) {
            this.onSource = onSource;
            this.hold = hold;
            this.operation = operation;
        }
    }

    @BeforeAll
    static void clusters() {
        source = PgCluster.builder().version(15).name("cutover-kill-source").start();
        target = PgCluster.builder().version(15).name("cutover-kill-target").start();
    }

    @AfterAll
    static void stopClusters() {
        for (PgCluster c : new PgCluster[] {source, target}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (nodes != null) {
            nodes.close();
        }
        if (dataDir != null && System.getenv("PGMIGRATE_KEEP_TEST_DIRS") == null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The two sides of the point of no return: before it (the cutover runs again) and after it (finished). */
    @ParameterizedTest
    @EnumSource(names = {"SEQUENCES", "SOURCE_CLEANUP"})
    void aNodeKilledDuringThisCutoverStepResumesToSucceeded(Step step) throws Exception {
        killDuringAndResume(step);
    }

    @ParameterizedTest
    @EnumSource(names = {"DRAIN", "MATERIALIZED_VIEWS", "VERIFICATION"})
    @Tag("slow")
    void aNodeKilledDuringThisOtherCutoverStepResumesToSucceeded(Step step) throws Exception {
        killDuringAndResume(step);
    }

    private void killDuringAndResume(Step step) throws Exception {
        String db = "cut_" + step.name().toLowerCase();
        source.createDatabase(db);
        source.execute(db, """
                CREATE TABLE orders (id bigserial PRIMARY KEY, amount int NOT NULL);
                INSERT INTO orders (amount) SELECT g FROM generate_series(1, 2000) g;
                CREATE TABLE static_data (id int PRIMARY KEY, v text);
                INSERT INTO static_data SELECT g, md5(g::text) FROM generate_series(1, 1000) g;
                CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(amount) AS amount FROM orders;
                """);
        dataDir = Files.createTempDirectory("pgmigrate-cutover-kill-it");
        nodes = new ServiceProcesses(dataDir);
        ArmClient first = nodes.start();
        assertThat(first.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
        String path = migrationPath(TARGET, "kill-" + step.name().toLowerCase().replace('_', '-'));
        Response created = first.put(path, MigrationBodies.online(source, target, "Migrate", true, db));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String publication = ReplicationNames.of(created.json().path("properties").path("migrationId").asText(), db)
                .publication();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> first.get(path), r -> r.subState().equals("WaitingForCutoverTrigger"));
        source.execute(db, "INSERT INTO orders (amount) SELECT g FROM generate_series(1, 300) g;"
                + " UPDATE orders SET amount = amount + 1 WHERE id % 10 = 0; SELECT nextval('orders_id_seq')");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> first.get(path).db(db).path("appliedChanges").asLong() == 530);

        PgCluster holder = step.onSource ? source : target;
        try (Connection hold = holder.connect(db); Statement s = hold.createStatement()) {
            hold.setAutoCommit(false);
            s.execute(step.hold.formatted(publication));
            if (step == Step.DRAIN) {
                source.execute(db, "INSERT INTO orders (amount) VALUES (-1), (-2)");
            }
            assertThat(first.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50))
                    .until(() -> waitingOnALock(holder)
                            && first.get(path).db(db).path("migrationOperation").asText().startsWith(step.operation));
            nodes.killLatest();
            hold.rollback();
        }

        ArmClient second = nodes.start();
        Response done = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> second.get(path), r -> r.state().equals("Succeeded") || r.state().equals("Failed"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        assertThat(done.db(db).path("migrationState").asText()).isEqualTo("Succeeded");
        if (step == Step.SOURCE_CLEANUP) {
            assertThat(done.db(db).path("message").asText())
                    .contains("The service stopped during the cutover, after every change up to the end point");
        }
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            s.createStatement().execute("REFRESH MATERIALIZED VIEW totals");
            DatabaseComparer.assertEqual(s, t);
        }
        assertThat(count(source, "SELECT count(*) FROM pg_replication_slots")).isZero();
        assertThat(strings(source, db, "SELECT pubname FROM pg_publication")).isEmpty();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> count(target, "SELECT count(*) FROM pg_replication_origin") == 0);
    }

    /** A pgmigrate session on {@code cluster} waits for a heavyweight lock. */
    private static boolean waitingOnALock(PgCluster cluster) throws SQLException {
        return count(cluster, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND application_name LIKE 'pgmigrate-%'") > 0;
    }

    private static long count(PgCluster cluster, String sql) throws SQLException {
        return count(cluster, "postgres", sql);
    }

    private static java.util.List<String> strings(PgCluster cluster, String db, String sql) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (Connection c = cluster.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long count(PgCluster cluster, String db, String sql) throws SQLException {
        try (Connection c = cluster.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
