package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * What pauses a replication instead of failing it (and costing its slot): a spool at its size limit, a full spool
 * disk, a target unreachable past the reconnect window. Each pause says why and what happens meanwhile, ends by
 * itself once the cause is gone, and loses nothing: the target then equals the source row for row.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplicationPauseIT {

    private static final String DDL = "CREATE TABLE t (id int PRIMARY KEY, payload text NOT NULL)";
    static PgCluster source;
    static PgCluster target;

    @TempDir
    Path work;

    @BeforeAll
    static void clusters() {
        // Without a small logical_decoding_work_mem: these transactions are spooled whole, not streamed.
        source = PgCluster.builder().name("pause-source").start();
        target = PgCluster.builder().name("pause-target").start();
    }

    @AfterAll
    static void stop() {
        target.close();
        source.close();
    }

    @Test
    void aSpoolAtItsLimitPausesCaptureUntilApplyingMakesRoom() throws Exception {
        Testbed bed = Testbed.create(source, target, "limit", DDL);
        OnlineReplication r = bed.startOnline(bed.replication("limit", work,
                b -> b.spool(1 << 20, Duration.ofMillis(50)).spoolLimit(4 << 20, 0)), "t");
        try (Connection block = blockApplying(bed)) {
            writeMegabytes(bed, 12);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> r.stats().paused() != null);
            assertThat(r.stats().paused()).startsWith("Capture paused: the change spool in")
                    .contains("of changes not yet applied, its limit of 4.0 MiB")
                    .contains("the source keeps its WAL for replication slot");
            assertThat(r.stats().spoolBytes()).isLessThan(8L << 20);
            assertThat(r.stats().failure()).isNull();
        }
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> r.stats().paused() == null
                && r.stats().appliedChanges() == 12 * 256);
        r.cutover(Duration.ofSeconds(60));
        assertThat(bed.assertSameRows("t", "id")).isEqualTo(12 * 256);
        r.close();
    }

    @Test
    void aFullSpoolDiskPausesCaptureUntilThereIsSpaceAgain() throws Exception {
        Path disk = Files.createDirectories(work.resolve("small-disk"));
        mount("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString());
        try {
            Testbed bed = Testbed.create(source, target, "fulldisk", DDL);
            OnlineReplication r = bed.startOnline(bed.replication("fulldisk", disk,
                    b -> b.spool(1 << 20, Duration.ofMillis(50)).spoolLimit(64L << 30, 0)), "t");
            try (Connection block = blockApplying(bed)) {
                writeMegabytes(bed, 16);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> r.stats().paused() != null);
                assertThat(r.stats().paused()).startsWith("Capture paused: the disk of the change spool is full")
                        .contains("No space left on device");
                assertThat(r.stats().failure()).isNull();
            }
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> r.stats().paused() == null
                    && r.stats().appliedChanges() == 16 * 256);
            r.cutover(Duration.ofSeconds(60));
            assertThat(bed.assertSameRows("t", "id")).isEqualTo(16 * 256);
            r.close();
        } finally {
            mount("umount", disk.toString());
        }
    }

    @Test
    void aTargetDownPastTheReconnectWindowPausesApplyingUntilItIsBack() throws Exception {
        Testbed bed = Testbed.create(source, target, "targetdown", DDL);
        OnlineReplication r = bed.startOnline(bed.replication("targetdown", work,
                b -> b.reconnectTimeout(Duration.ofSeconds(2))), "t");
        bed.source("INSERT INTO t SELECT g, 'before' FROM generate_series(1, 100) g");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> r.stats().appliedChanges() == 100);
        target.stop();
        try {
            bed.source("INSERT INTO t SELECT g, 'while down' FROM generate_series(101, 300) g");
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> r.stats().paused() != null);
            assertThat(r.stats().paused()).startsWith("Paused: lost the connection to the target server")
                    .contains("Retrying every 2 s").contains("Nothing is lost");
            assertThat(r.stats().failure()).isNull();
        } finally {
            target.startAgain();
        }
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> r.stats().paused() == null
                && r.stats().appliedChanges() == 300);
        r.cutover(Duration.ofSeconds(60));
        assertThat(bed.assertSameRows("t", "id")).isEqualTo(300);
        r.close();
    }

    /** Holds a lock on the target's table, so the applier waits and the spool fills. */
    private static Connection blockApplying(Testbed bed) throws Exception {
        Connection c = bed.target.connect(bed.db);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    /** {@code megabytes} transactions of 256 rows of 4 kB (incompressible: the spool holds them as they are). */
    private static void writeMegabytes(Testbed bed, int megabytes) {
        for (int i = 0; i < megabytes; i++) {
            int from = i * 256 + 1;
            bed.source("INSERT INTO t SELECT g, (SELECT string_agg(md5(g::text || x::text), '') FROM"
                    + " generate_series(1, 128) x) FROM generate_series(" + from + ", " + (from + 255) + ") g");
        }
    }

    private static void mount(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
