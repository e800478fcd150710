package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.RestoreGate;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * A link that dies silently (every packet dropped, no RST) is noticed within a minute: a session waiting for an
 * answer by its TCP keepalives, a COPY writing into the dead link by the copy's stall watch, which then drops the
 * sessions so that the part is retried.
 */
@Timeout(300)
@Tag("slow") // about 75 s: the detection it proves takes 35 s per case by design
class DeadLinkIT {

    private static final int ROWS = 60_000;
    private static final int GATE_ROW = 5_000;

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() {
        FlowBlackhole.assumeAvailable();
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("links");
        source.execute("links", RestoreGate.functionSql()
                + "CREATE DOMAIN public.gated_int AS int CHECK (VALUE <> " + GATE_ROW
                + " OR public.restore_gate('gate_link'));"
                + "CREATE TABLE public.events (n public.gated_int, payload text);"
                + "INSERT INTO public.events SELECT g, repeat(md5(g::text), 70) FROM generate_series(1, " + ROWS + ") g;");
    }

    @Test
    void aStatementWaitingOnADeadLinkFailsWithinAMinuteWhileTheServerKeepsTheSameKeepalives() throws Exception {
        try (FlowBlackhole blackhole = new FlowBlackhole();
             Connection c = new PgConnector().open(PgEndpoint.parse(source.uri("links")), Side.SOURCE, "dead-link-test")) {
            assertThat(scalar(c, "SELECT current_setting('tcp_keepalives_idle') || ' '"
                    + " || current_setting('tcp_keepalives_interval') || ' ' || current_setting('tcp_keepalives_count')"))
                    .isEqualTo("15 5 4");
            CompletableFuture<String> sleeping = CompletableFuture.supplyAsync(() -> {
                try {
                    return scalar(c, "SELECT pg_catalog.pg_sleep(600)::text");
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getSQLState() + " " + e.getMessage(), e);
                }
            });
            String port = await().atMost(Duration.ofSeconds(30)).until(() -> scalar(source, "SELECT client_port"
                    + " FROM pg_stat_activity WHERE application_name = 'pgmigrate-dead-link-test'"
                    + " AND query LIKE '%pg_sleep(600)%'"), p -> p != null);
            long cutAt = System.nanoTime();
            blackhole.cut(Integer.parseInt(port));
            Throwable failure = null;
            try {
                sleeping.get(90, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failure = e.getCause();
            }
            Duration noticed = Duration.ofNanos(System.nanoTime() - cutAt);
            assertThat(failure).as("the statement fails instead of waiting for an answer for hours").isNotNull()
                    .hasMessageStartingWith("08006 An I/O error occurred while sending to the backend.")
                    .hasRootCauseMessage("Connection timed out");
            assertThat(noticed).isLessThan(Duration.ofSeconds(60)).isGreaterThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void aCopyWritingIntoADeadLinkIsDroppedWithinAMinuteAndRetried() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        long[] noticedAt = {0};
        ProgressListener listener = new ProgressListener() {
            @Override
            public void notice(String database, String message) {
                notices.add(message);
                if (message.contains("Retrying")) {
                    noticedAt[0] = System.nanoTime();
                }
            }
        };
        DatabaseJob job = DatabaseJob.of(PgEndpoint.parse(source.uri("links")), PgEndpoint.parse(target.uri("links_copy")),
                work.resolve("links")).withCopy(CopyOptions.defaults().withJobs(1, 1));
        try (FlowBlackhole blackhole = new FlowBlackhole(); RestoreGate gate = RestoreGate.hold(target, "gate_link");
             DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("journal"))) {
            CompletableFuture<DatabaseReport> run = CompletableFuture.supplyAsync(() -> new Engine(EngineSettings.defaults())
                    .migrateDatabase(job, listener, checkpoints, new Cancellation()));
            int pid = gate.awaitWaiter("pgmigrate-copy", Duration.ofSeconds(120), Set.of());
            // The worker is blocked writing rows the target does not read yet. Its link dies now: its bytes stay
            // unacknowledged, so TCP keepalives stay silent, and the kernel alone would retransmit for 15 minutes.
            long cutAt = System.nanoTime();
            blackhole.cut(Integer.parseInt(scalar(target, "SELECT client_port FROM pg_stat_activity WHERE pid = " + pid)));
            gate.open();
            DatabaseReport report = run.get(180, TimeUnit.SECONDS);
            assertThat(report.verification().equal()).isTrue();
            assertThat(Duration.ofNanos(noticedAt[0] - cutAt)).as("noticed within a minute")
                    .isLessThan(Duration.ofSeconds(60));
        }
        assertThat(notices).anySatisfy(n -> assertThat(n)
                .startsWith("COPY of public.events failed (attempt 1 of 3): lost the connection to the target server "
                        + target.host() + ":" + target.port())
                .contains("the connections were dropped because no data moved for 20 s while the target server "
                        + target.host() + ":" + target.port() + " had the session active (ClientRead)"));
        assertThat(scalar(target, "links_copy", "SELECT count(*) || ' ' || count(DISTINCT n) FROM public.events"))
                .isEqualTo(ROWS + " " + ROWS);
        try (Connection s = source.connect("links"); Connection t = target.connect("links_copy")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    private static String scalar(PgCluster cluster, String sql) throws SQLException {
        return scalar(cluster, "postgres", sql);
    }

    private static String scalar(PgCluster cluster, String db, String sql) throws SQLException {
        try (Connection c = cluster.connect(db)) {
            return scalar(c, sql);
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
