package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * Measurements, not pass/fail rules (tagged slow; run with -Pslow): latency under a fixed-rate write load, apply
 * rate for a backlog of small transactions against native logical replication on the same servers, and cutover
 * time on an idle source. Figures are printed as "MEASURE ..." lines.
 */
@Tag("slow")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ApplyRateIT {

    private static final int ACCOUNTS = 10_000;

    @TempDir
    Path spool;

    @Test
    void latencyStaysLowAtAFixedRateAndBacklogsApplyQuickly() throws Exception {
        try (PgCluster source = Testbed.cluster(15, "rate-source"); PgCluster target = Testbed.cluster(15, "rate-target")) {
            Testbed bed = Testbed.create(source, target, "rate",
                    "CREATE TABLE acct (id int PRIMARY KEY, balance bigint, note text)");
            bed.source("INSERT INTO acct SELECT g, 0, 'n' FROM generate_series(1, " + ACCOUNTS + ") g");
            try (OnlineReplication r = bed.startOnline("rate", spool, "acct")) {
                for (int tps : new int[] {500, 1000}) {
                    List<Duration> samples = new ArrayList<>();
                    long done = runAtRate(source, tps, Duration.ofSeconds(15), () -> samples.add(r.stats().latency()));
                    Collections.sort(samples);
                    System.out.printf("MEASURE latency at %d TPS (achieved %.0f): p50 %d ms, p95 %d ms, max %d ms%n",
                            tps, done / 15.0, samples.get(samples.size() / 2).toMillis(),
                            samples.get(samples.size() * 95 / 100).toMillis(), samples.get(samples.size() - 1).toMillis());
                    bed.awaitCaughtUp(r);
                }
                long start = System.nanoTime();
                CutoverResult cut = r.cutover(Duration.ofSeconds(60));
                System.out.printf("MEASURE cutover on an idle source: %d ms (call to return), result says %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), cut.took().toMillis());
            }

            // Backlog: 60k single-row transactions captured while apply waits, then applied.
            Testbed backlog = Testbed.create(source, target, "backlog",
                    "CREATE TABLE acct (id int PRIMARY KEY, balance bigint, note text)");
            backlog.source("INSERT INTO acct SELECT g, 0, 'n' FROM generate_series(1, " + ACCOUNTS + ") g");
            try (OnlineReplication r = backlog.replication("backlog", spool, b -> { })) {
                SlotSnapshot slot = r.prepare();
                r.startCapture();
                backlog.baseCopy(slot.snapshotName(), "acct");
                r.releaseSnapshot();
                int transactions = 60_000;
                burst(source, "backlog", transactions);
                Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> r.stats().incomingChanges() >= transactions);
                long t0 = System.nanoTime();
                r.startApply();
                Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> r.stats().appliedChanges() >= transactions);
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("MEASURE pgmigrate apply of %d single-row transactions: %.1f s, %.0f changes/s%n",
                        transactions, seconds, transactions / seconds);
                r.cutover(Duration.ofSeconds(60));
                backlog.assertSameRows("acct", "id");
            }

            // The same backlog through native logical replication (CREATE SUBSCRIPTION), as the reference.
            Testbed nativeBed = Testbed.create(source, target, "native",
                    "CREATE TABLE acct (id int PRIMARY KEY, balance bigint, note text)");
            nativeBed.source("INSERT INTO acct SELECT g, 0, 'n' FROM generate_series(1, " + ACCOUNTS + ") g;"
                    + " CREATE PUBLICATION native_pub FOR TABLE acct");
            nativeBed.target("INSERT INTO acct SELECT g, 0, 'n' FROM generate_series(1, " + ACCOUNTS + ") g");
            nativeBed.target("CREATE SUBSCRIPTION native_sub CONNECTION 'host=" + source.host() + " port="
                    + source.port() + " dbname=native user=" + source.superuser() + " password=" + source.password()
                    + "' PUBLICATION native_pub WITH (copy_data = false, enabled = false)");
            int transactions = 60_000;
            burst(source, "native", transactions);
            Lsn end = Lsn.parse(nativeBed.sourceString("SELECT pg_current_wal_insert_lsn()::text"));
            long t0 = System.nanoTime();
            nativeBed.target("ALTER SUBSCRIPTION native_sub ENABLE");
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                String lsn = nativeBed.targetString("SELECT latest_end_lsn::text FROM pg_stat_subscription WHERE"
                        + " subname = 'native_sub'");
                return lsn != null && Lsn.parse(lsn).compareTo(end) >= 0;
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("MEASURE native logical replication apply of %d single-row transactions: %.1f s,"
                    + " %.0f changes/s%n", transactions, seconds, transactions / seconds);
            nativeBed.target("DROP SUBSCRIPTION native_sub");
            assertThat(nativeBed.targetLong("SELECT sum(balance) FROM acct"))
                    .isEqualTo(nativeBed.sourceLong("SELECT sum(balance) FROM acct"));
        }
    }

    /** Single-row UPDATE transactions at {@code tps} for {@code length}; calls {@code sample} every 100 ms. */
    private static long runAtRate(PgCluster source, int tps, Duration length, Runnable sample) throws Exception {
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        int writers = 4;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                try (Connection c = source.connect("rate");
                     PreparedStatement ps = c.prepareStatement("UPDATE acct SET balance = balance + 1 WHERE id = ?")) {
                    long interval = TimeUnit.SECONDS.toNanos(1) * writers / tps;
                    long next = System.nanoTime() + writer * interval / writers;
                    int i = writer;
                    while (next < end) {
                        LockSupport.parkNanos(next - System.nanoTime());
                        ps.setInt(1, 1 + (i * 7919) % ACCOUNTS);
                        ps.executeUpdate();
                        done.incrementAndGet();
                        i += writers;
                        next += interval;
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        long warmup = start + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            if (System.nanoTime() > warmup) {
                sample.run();
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        return done.get();
    }

    private static void burst(PgCluster source, String db, int transactions) throws Exception {
        int writers = 4;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                try (Connection c = source.connect(db);
                     PreparedStatement ps = c.prepareStatement("UPDATE acct SET balance = balance + 1 WHERE id = ?")) {
                    for (int i = writer; i < transactions; i += writers) {
                        ps.setInt(1, 1 + (i * 7919) % ACCOUNTS);
                        ps.executeUpdate();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
