package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
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

/**
 * Online from PostgreSQL 10, the oldest source with pgoutput: protocol 1, the legacy slot syntax, publications of
 * 10 (no partitioned tables in them: a partition's changes arrive as its own), no TRUNCATE in the stream. A write
 * load runs during the base copy and during capture, partitions change too, then cutover; the comparer finds the
 * 15 target equal to the source. Slow profile: about a minute.
 */
@Tag("slow")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OldSourceOnlineIT {

    @TempDir
    Path work;

    @Test
    void tenToFifteenWithChangesDuringCaptureAndACutover() throws Exception {
        try (PgCluster source = Testbed.cluster(10, "online10-source");
             PgCluster target = Testbed.cluster(15, "online10-target")) {
            source.createDatabase("shop");
            try (Connection c = source.connect("shop")) {
                SampleDatabase.load(c, 20_000);
            }
            PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
            PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
            ReplicationConfig config = ReplicationConfig.builder("online-10", from, to, work.resolve("spool"))
                    .allowReplicaIdentityFull(true).build();
            try (OnlineMigrationIT.ShopLoad load = new OnlineMigrationIT.ShopLoad(source, 1010L);
                 OnlineMigration migration = new OnlineMigration(new Engine(EngineSettings.defaults()),
                         DatabaseJob.of(from, to, work.resolve("job")), new OnlineReplication(config, new PgConnector()))) {
                load.start();
                DatabaseReport report = migration.start(ProgressListener.NONE, new Cancellation());
                assertThat(report.verification().equal()).isTrue();
                long afterCopy = load.writes.get();
                // Partitions of a 10 source are published one by one; their changes must reach the target's.
                source.execute("shop", "INSERT INTO shop.events VALUES (900001, '2025-06-01', 'late', '{}'),"
                        + " (900002, '2026-06-01', 'late', '{}');"
                        + " UPDATE shop.events SET kind = 'moved' WHERE id = 7;"
                        + " DELETE FROM shop.events WHERE id = 8");
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> load.writes.get() > afterCopy + 200);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> migration.stats().appliedChanges() > 200);
                load.stop();
                CutoverResult done = migration.cutover(Duration.ofSeconds(120));

                try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
                    s.createStatement().execute("REFRESH MATERIALIZED VIEW shop.sales_by_status");
                    DatabaseComparer.assertEqual(s, t);
                    assertThat(count(t, "SELECT count(*) FROM shop.events WHERE kind IN ('late', 'moved')")).isEqualTo(3);
                    assertThat(count(t, "SELECT count(*) FROM shop.events WHERE id = 8")).isZero();
                }
                ReplicationStats stats = done.finalStats();
                assertThat(stats.cdcInsertCounter()).isGreaterThanOrEqualTo(load.orderInserts.get() + 2);
                assertThat(stats.cdcDeleteCounter()).isPositive();
                assertThat(stats.incomingChanges()).isEqualTo(stats.appliedChanges());
                try (Connection c = source.connect("shop")) {
                    assertThat(count(c, "SELECT count(*) FROM pg_replication_slots")).isZero();
                    assertThat(count(c, "SELECT count(*) FROM pg_publication")).isZero();
                }
            }
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
