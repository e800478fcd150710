package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.cdc.apply.ProgressTracking;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * A target user that is not a superuser: without replication-origin privileges progress goes to a table written in
 * the same transaction as the data; without the right to set session_replication_role, apply refuses loudly.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TargetPrivilegesIT {

    private static PgCluster source;
    private static PgCluster target;

    @TempDir
    Path spool;

    @BeforeAll
    static void startClusters() {
        source = Testbed.cluster(15, "priv-source");
        target = Testbed.cluster(15, "priv-target");
    }

    @AfterAll
    static void stopClusters() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    @Test
    void withoutOriginPrivilegesProgressIsKeptInATableInTheSameTransaction() {
        Testbed bed = Testbed.create(source, target, "tablemode", Workload.DDL + "; CREATE TABLE t (id serial PRIMARY KEY)");
        target.execute("tablemode", "CREATE ROLE applier LOGIN PASSWORD 'applier-pw';"
                + " GRANT SET ON PARAMETER session_replication_role TO applier;"
                + " GRANT CREATE ON DATABASE tablemode TO applier;"
                + " GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO applier;"
                + " GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO applier");
        PgEndpoint asApplier = PgEndpoint.parse(target.uri("tablemode", "applier", "applier-pw"));
        ReplicationConfig config = ReplicationConfig.builder("tablemode", bed.sourceEndpoint(), asApplier,
                spool.resolve("tablemode")).monitorInterval(Duration.ofMillis(200)).build();
        try (OnlineReplication r = bed.startOnline(new OnlineReplication(config, new PgConnector()), "work", "t");
             Workload work = new Workload(source, "tablemode", System.nanoTime()).start()) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> r.stats().appliedChanges() > 200);
            assertThat(bed.targetLong("SELECT count(*) FROM _pgmigrate.cdc_progress")).isEqualTo(1);
            assertThat(bed.targetLong("SELECT count(*) FROM pg_replication_origin")).isZero();
            // Durable progress comes from the table: the source is told, so its slot moves on.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> r.stats().durableLsn()
                    .compareTo(Lsn.parse(bed.sourceString("SELECT restart_lsn::text FROM pg_replication_slots"))) > 0);
            bed.target("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name ="
                    + " 'pgmigrate-cdc-apply'");
            bed.source("INSERT INTO t SELECT FROM generate_series(1, 10)");
            work.stop();
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("work", "id");
            bed.assertSameRows("t", "id");
            assertThat(done.finalStats().cdcInsertCounter()).isEqualTo(work.inserts.get() + 10);
            assertThat(done.sequencesSynchronized()).isEqualTo(1);
            assertThat(bed.targetLong("SELECT count(*) FROM pg_namespace WHERE nspname = '_pgmigrate'")).isZero();
        }
    }

    @Test
    void aTargetUserThatCannotSetReplicaRoleStopsApplyLoudly() {
        Testbed bed = Testbed.create(source, target, "norole", "CREATE TABLE t (id int PRIMARY KEY)");
        target.execute("norole", "CREATE ROLE plain LOGIN PASSWORD 'plain-pw';"
                + " GRANT ALL ON ALL TABLES IN SCHEMA public TO plain");
        PgEndpoint asPlain = PgEndpoint.parse(target.uri("norole", "plain", "plain-pw"));
        ReplicationConfig config = ReplicationConfig.builder("norole", bed.sourceEndpoint(), asPlain,
                spool.resolve("norole")).build();
        try (OnlineReplication r = bed.startOnline(new OnlineReplication(config, new PgConnector()), "t")) {
            bed.source("INSERT INTO t VALUES (1)");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> r.stats().state() == ReplicationState.FAILED);
            assertThat(r.stats().failure()).contains("session_replication_role").contains("plain")
                    .contains("GRANT SET ON PARAMETER");
            assertThat(bed.targetLong("SELECT count(*) FROM t")).isZero();
            r.cancel();
        }
    }
}
