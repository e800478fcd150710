package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.testkit.cluster.PgCluster;

/** The correctness rules of online migration, PostgreSQL 15 to 15 (protocol 2, streaming on). */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChangeCaptureIT {

    private static PgCluster source;
    private static PgCluster target;

    @TempDir
    Path spool;

    @BeforeAll
    static void startClusters() {
        source = Testbed.cluster(15, "cdc-source");
        target = Testbed.cluster(15, "cdc-target");
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
    void insertsUpdatesAndDeletesArriveInCommitOrderWithMatchingCounters() {
        Testbed bed = Testbed.create(source, target, "basic", "CREATE TABLE t (id int PRIMARY KEY, v text)");
        bed.source("INSERT INTO t SELECT g, 'before ' || g FROM generate_series(1, 100) g");
        try (OnlineReplication r = bed.startOnline("basic", spool, "t")) {
            bed.source("INSERT INTO t SELECT g, 'after ' || g FROM generate_series(101, 150) g");
            bed.source("UPDATE t SET v = 'updated' WHERE id <= 20");
            bed.source("DELETE FROM t WHERE id > 140");
            bed.source("BEGIN; INSERT INTO t VALUES (1000, 'x'); UPDATE t SET v = 'y' WHERE id = 1000;"
                    + " DELETE FROM t WHERE id = 1000; INSERT INTO t VALUES (1000, 'z'); COMMIT");
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            assertThat(done.appliedPoint()).isGreaterThanOrEqualTo(done.endPoint());
            assertThat(bed.assertSameRows("t", "id")).isEqualTo(141);
            ReplicationStats s = done.finalStats();
            assertThat(s.cdcInsertCounter()).isEqualTo(52);
            assertThat(s.cdcUpdateCounter()).isEqualTo(21);
            assertThat(s.cdcDeleteCounter()).isEqualTo(11);
            assertThat(s.appliedChanges()).isEqualTo(84);
            assertThat(s.incomingChanges()).isEqualTo(84);
            assertThat(s.state()).isEqualTo(ReplicationState.COMPLETED);
            assertThat(bed.slotExists(r.names().slot())).isFalse();
            assertThat(bed.publicationExists(r.names().publication())).isFalse();
            assertThat(bed.targetLong("SELECT count(*) FROM pg_replication_origin")).isZero();
        }
    }

    @Test
    void tableWithoutKeyIsRefusedBeforeAnythingIsCreated() {
        Testbed bed = Testbed.create(source, target, "nokey", "CREATE TABLE keyless (a int, b text);"
                + " CREATE TABLE fine (id int PRIMARY KEY)");
        try (OnlineReplication r = bed.replication("nokey", spool, b -> { })) {
            assertThatThrownBy(r::prepare)
                    .isInstanceOfSatisfying(EngineException.class,
                            e -> assertThat(e.error()).isEqualTo(EngineError.NO_REPLICA_IDENTITY))
                    .hasMessageContaining("public.keyless")
                    .hasMessageContaining("allowReplicaIdentityFull")
                    .hasMessageNotContaining("public.fine");
            assertThat(bed.slotExists(r.names().slot())).isFalse();
            assertThat(bed.publicationExists(r.names().publication())).isFalse();
            assertThat(bed.sourceString("SELECT relreplident FROM pg_class WHERE relname = 'keyless'")).isEqualTo("d");
        }
    }
}
