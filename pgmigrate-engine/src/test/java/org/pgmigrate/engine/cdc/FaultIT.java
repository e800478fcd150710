package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;

/** Connection cuts, lost slots and restarts: replication resumes with nothing lost and nothing applied twice. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FaultIT {

    private static PgCluster source;
    private static PgCluster target;

    @TempDir
    Path spool;

    @BeforeAll
    static void startClusters() {
        source = Testbed.cluster(15, "fault-source");
        target = Testbed.cluster(15, "fault-target");
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
    void terminatedWalsenderAndApplierBackendsResumeWithoutLossOrDuplicates() {
        Testbed bed = Testbed.create(source, target, "terminate", Workload.DDL);
        try (OnlineReplication r = bed.startOnline("terminate", spool, "work");
             Workload work = new Workload(source, "terminate", System.nanoTime()).start()) {
            for (int round = 0; round < 3; round++) {
                awaitMoreApplied(r, 50);
                terminateWalsender(bed, r);
                awaitMoreApplied(r, 50);
                bed.target("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name ="
                        + " 'pgmigrate-cdc-apply'");
            }
            // A big transaction, streamed in chunks, cut in the middle.
            bed.source("INSERT INTO work SELECT g, g, 'bulk' FROM generate_series(1, 60000) g");
            terminateWalsender(bed, r);
            awaitMoreApplied(r, 50);
            work.stop();
            CutoverResult done = r.cutover(Duration.ofSeconds(120));
            bed.assertSameRows("work", "id");
            ReplicationStats s = done.finalStats();
            assertThat(s.reconnects()).isGreaterThanOrEqualTo(4);
            assertThat(s.cdcInsertCounter()).isEqualTo(work.inserts.get() + 60000);
            assertThat(s.cdcUpdateCounter()).isEqualTo(work.updates.get());
            assertThat(s.cdcDeleteCounter()).isEqualTo(work.deletes.get());
            assertThat(s.incomingChanges()).isEqualTo(s.appliedChanges());
        }
    }

    @Test
    void networkCutsOnBothSidesResumeWithoutLossOrDuplicates() throws Exception {
        Testbed bed = Testbed.create(source, target, "netcut", Workload.DDL);
        try (TcpProxy toSource = new TcpProxy(source.host(), source.port());
             TcpProxy toTarget = new TcpProxy(target.host(), target.port())) {
            ReplicationConfig config = ReplicationConfig.builder("netcut",
                            PgEndpoint.parse(source.uri("netcut").replace(":" + source.port() + "/", ":" + toSource.port() + "/")),
                            PgEndpoint.parse(target.uri("netcut").replace(":" + target.port() + "/", ":" + toTarget.port() + "/")),
                            spool.resolve("netcut"))
                    .monitorInterval(Duration.ofMillis(200)).reconnectTimeout(Duration.ofSeconds(60)).build();
            try (OnlineReplication r = bed.startOnline(new OnlineReplication(config, new PgConnector()), "work");
                 Workload work = new Workload(source, "netcut", System.nanoTime()).start()) {
                for (int round = 0; round < 3; round++) {
                    awaitMoreApplied(r, 50);
                    toSource.cutAll();
                    awaitMoreApplied(r, 50);
                    toTarget.cutAll();
                }
                work.stop();
                CutoverResult done = r.cutover(Duration.ofSeconds(120));
                bed.assertSameRows("work", "id");
                assertThat(done.finalStats().cdcInsertCounter()).isEqualTo(work.inserts.get());
                assertThat(done.finalStats().cdcUpdateCounter()).isEqualTo(work.updates.get());
                assertThat(done.finalStats().cdcDeleteCounter()).isEqualTo(work.deletes.get());
            }
        }
    }

    @Test
    void aSlotDroppedUnderReplicationFailsWithSlotLost() {
        Testbed bed = Testbed.create(source, target, "dropped", "CREATE TABLE t (id int PRIMARY KEY)");
        try (OnlineReplication r = bed.startOnline("dropped", spool, "t")) {
            bed.source("INSERT INTO t VALUES (1)");
            bed.awaitCaughtUp(r);
            String slot = r.names().slot();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
                    .until(() -> {
                        bed.source("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
                                + slot + "' AND active_pid IS NOT NULL");
                        bed.source("SELECT pg_drop_replication_slot('" + slot + "')");
                        return true;
                    });
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> r.stats().state() == ReplicationState.FAILED);
            assertThat(r.stats().failure()).contains(slot).contains("no longer exists");
            assertThatThrownBy(() -> r.cutover(Duration.ofSeconds(5))).isInstanceOfSatisfying(EngineException.class,
                    e -> assertThat(e.error()).isEqualTo(EngineError.REPLICATION_SLOT_LOST));
            r.cancel();
        }
    }

    @Test
    void anInvalidatedSlotFailsWithSlotLost() {
        try (PgCluster small = PgCluster.builder().version(15).name("fault-small-wal")
                .setting("max_slot_wal_keep_size", "'1MB'").setting("min_wal_size", "'32MB'")
                .setting("max_wal_size", "'32MB'").start()) {
            Testbed bed = Testbed.create(small, target, "invalidated", "CREATE TABLE t (id int PRIMARY KEY, v text)");
            try (OnlineReplication r = bed.replication("invalidated", spool, b -> { })) {
                r.prepare();
                r.releaseSnapshot();
                // Nothing reads the slot while the source writes and checkpoints well past max_slot_wal_keep_size.
                for (int i = 0; i < 3; i++) {
                    bed.source("INSERT INTO t SELECT g, repeat('w', 500) FROM generate_series(" + (i * 40000 + 1)
                            + ", " + ((i + 1) * 40000) + ") g; SELECT pg_switch_wal(); CHECKPOINT");
                }
                assertThat(bed.sourceString("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '"
                        + r.names().slot() + "'")).isEqualTo("lost");
                r.startCapture();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> r.stats().state() == ReplicationState.FAILED);
                assertThat(r.stats().failure()).contains("invalidated").contains("max_slot_wal_keep_size");
                r.cancel();
                assertThat(bed.slotExists(r.names().slot())).isFalse();
            }
        }
    }

    @Test
    void aNewProcessResumesWithoutLossOrDuplicates() {
        Testbed bed = Testbed.create(source, target, "resume", Workload.DDL);
        SlotSnapshot slot;
        long inserts;
        ReplicationConfig config = bed.config("resume", spool).build();
        try (Workload work = new Workload(source, "resume", System.nanoTime()).start()) {
            OnlineReplication first = new OnlineReplication(config, new PgConnector());
            slot = first.prepare();
            first.startCapture();
            bed.baseCopy(slot.snapshotName(), "work");
            first.startApply();
            awaitMoreApplied(first, 200);
            first.close(); // the process stops; slot, origin and spool stay
            assertThat(bed.slotExists(slot.slotName())).isTrue();
            awaitSourceTransactions(work, 100);
            try (OnlineReplication second = new OnlineReplication(config, new PgConnector())) {
                second.resume(slot);
                second.startApply();
                awaitMoreApplied(second, 100);
                work.stop();
                second.cutover(Duration.ofSeconds(120));
            }
            inserts = work.inserts.get();
        }
        assertThat(bed.assertSameRows("work", "id")).isPositive();
        assertThat(inserts).isPositive();
    }

    @Test
    void aResumeWithoutTheSpoolWorksOnceApplyConfirmsAndFailsLoudlyBefore() throws Exception {
        Testbed bed = Testbed.create(source, target, "nospool", Workload.DDL);
        ReplicationConfig config = bed.config("nospool", spool).build();
        OnlineReplication first = new OnlineReplication(config, new PgConnector());
        SlotSnapshot slot = first.prepare();
        first.startCapture();
        bed.baseCopy(slot.snapshotName(), "work");
        bed.source("INSERT INTO work SELECT g, g, 'during copy' FROM generate_series(1, 1000) g");
        // Confirmed to the source on the strength of the spool alone.
        Lsn written = Lsn.parse(bed.sourceString("SELECT pg_current_wal_insert_lsn()::text"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Lsn.parse(bed.sourceString(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot.slotName()
                        + "'")).compareTo(written) >= 0);
        first.close();
        deleteTree(config.spoolDirectory());
        try (OnlineReplication lost = new OnlineReplication(config, new PgConnector())) {
            assertThatThrownBy(() -> lost.resume(slot)).isInstanceOfSatisfying(EngineException.class,
                    e -> assertThat(e.error()).isEqualTo(EngineError.REPLICATION_SLOT_LOST))
                    .hasMessageContaining("change spool");
            lost.cancel();
        }
    }

    /** Waits until the receiver streams again, then ends its walsender. */
    private static void terminateWalsender(Testbed bed, OnlineReplication r) {
        String slot = r.names().slot();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() ->
                bed.sourceLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot
                        + "' AND active_pid IS NOT NULL") == 1);
        bed.source("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }

    private static void awaitMoreApplied(OnlineReplication r, long more) {
        long start = r.stats().appliedChanges();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            ReplicationStats s = r.stats();
            if (s.failure() != null) {
                throw new AssertionError("replication failed: " + s.failure());
            }
            return s.appliedChanges() >= start + more;
        });
    }

    private static void awaitSourceTransactions(Workload work, long more) {
        long start = work.transactions.get();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> work.transactions.get() >= start + more);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }
}
