package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.CheckpointKeys;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

@Timeout(300)
class ResumeIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() throws Exception {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("shop");
        try (Connection c = source.connect("shop")) {
            SampleDatabase.load(c, 5000);
        }
    }


    @Test
    void aCanceledCopyResumesWithoutRecopyingFinishedTablesAndEndsEqual() throws Exception {
        DatabaseJob job = job("resumed");
        Cancellation cancel = new Cancellation();
        List<String> firstRun = new CopyOnWriteArrayList<>();
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("journal"))) {
            ProgressListener stopAfterThreeTables = new ProgressListener() {
                @Override
                public void tableCompleted(String database, TableStats stats) {
                    firstRun.add(stats.table());
                    if (firstRun.size() == 3) {
                        cancel.cancel("canceled by the test");
                    }
                }
            };
            assertThatThrownBy(() -> engine.migrateDatabase(job, stopAfterThreeTables, checkpoints, cancel))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error()).isEqualTo(EngineError.CANCELED));
        }
        assertThat(firstRun).hasSizeGreaterThanOrEqualTo(3);

        List<String> copiedAgain = new CopyOnWriteArrayList<>();
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("journal"))) {
            assertThat(checkpoints.hasEntries()).isTrue();
            engine.migrateDatabase(job, new ProgressListener() {
                @Override
                public void tableStarted(String database, String table) {
                    copiedAgain.add(table);
                }
            }, checkpoints, new Cancellation());
        }
        assertThat(copiedAgain).doesNotContainAnyElementsOf(firstRun).isNotEmpty();
        try (Connection s = source.connect("shop"); Connection t = target.connect("resumed")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    /**
     * A kill -9 does not reach what the server still runs for the dead process (an index build, an ANALYZE): the
     * resumed run ends every pgmigrate session left on its target database before it builds anything there.
     */
    @Test
    void aResumedRunEndsTheSessionsTheInterruptedRunLeftOnItsTarget() throws Exception {
        DatabaseJob job = job("leftovers");
        Cancellation cancel = new Cancellation();
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("leftover-journal"))) {
            ProgressListener stopAfterOneTable = new ProgressListener() {
                @Override
                public void tableCompleted(String database, TableStats stats) {
                    cancel.cancel("canceled by the test");
                }
            };
            assertThatThrownBy(() -> engine.migrateDatabase(job, stopAfterOneTable, checkpoints, cancel))
                    .isInstanceOf(EngineException.class);
        }
        // What the dead run's server side would still be doing: a session named like pgmigrate's, busy.
        java.util.concurrent.CompletableFuture<Throwable> leftover = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (Connection c = java.sql.DriverManager.getConnection(target.jdbcUrl("leftovers")
                    + "?ApplicationName=pgmigrate-index-leftovers-1", target.superuser(), target.password())) {
                c.createStatement().execute("SELECT pg_sleep(600)");
                return null;
            } catch (java.sql.SQLException e) {
                return e;
            }
        });
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            try (Connection c = target.connect("postgres"); var rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgmigrate-index-leftovers-1'")) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        });
        List<String> notices = new CopyOnWriteArrayList<>();
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("leftover-journal"))) {
            engine.migrateDatabase(job, new ProgressListener() {
                @Override
                public void notice(String database, String message) {
                    notices.add(message);
                }
            }, checkpoints, new Cancellation());
        }
        assertThat(leftover.get(30, java.util.concurrent.TimeUnit.SECONDS)).as("the leftover session was ended")
                .isInstanceOfSatisfying(java.sql.SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57P01"));
        assertThat(notices).anyMatch(n -> n.startsWith("Ended 1 session that the interrupted run left working"));
        try (Connection s = source.connect("shop"); Connection t = target.connect("leftovers")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void aPartCommittedJustBeforeACrashIsNotCopiedTwice() throws Exception {
        DatabaseJob job = job("crashed");
        Path journal = work.resolve("crash-journal");
        AtomicInteger partsRecorded = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> crashedPart = new java.util.concurrent.atomic.AtomicReference<>();
        try (DirectoryCheckpointStore real = DirectoryCheckpointStore.open(journal)) {
            // The "crash": the process dies after a range part committed on the target, before it recorded "done".
            CheckpointStore crashingAfterCommit = CrashingCheckpoints.of(real, (key, value) -> {
                if (key.startsWith(CheckpointKeys.of("part", "shop", "shop", "order_lines") + "/") && value.startsWith("done")
                        && partsRecorded.incrementAndGet() == 2) {
                    crashedPart.set(key);
                    return true;
                }
                return false;
            }, key -> false);
            assertThatThrownBy(() -> engine.migrateDatabase(job, ProgressListener.NONE, crashingAfterCommit, new Cancellation()))
                    .hasMessageContaining("simulated crash");
            assertThat(real.get(crashedPart.get()).orElse("")).startsWith("pending ");
        }
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            engine.migrateDatabase(job, ProgressListener.NONE, checkpoints, new Cancellation());
            assertThat(checkpoints.get(crashedPart.get()).orElse("")).startsWith("done ");
        }
        try (Connection s = source.connect("shop"); Connection t = target.connect("crashed")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    /**
     * A whole small table committed on the target, then the process died before its record was written: the resumed
     * run finds the table not empty (it has blocks), so it truncates and reloads it instead of a plain COPY on top.
     */
    @Test
    void aSmallTableLoadedJustBeforeACrashIsReplacedNotLoadedTwice() throws Exception {
        DatabaseJob job = job("crashed_small");
        Path journal = work.resolve("crash-small-journal");
        String customers = CheckpointKeys.of("part", "shop", "shop", "customers") + "/1of1";
        try (DirectoryCheckpointStore real = DirectoryCheckpointStore.open(journal)) {
            CheckpointStore crashingAfterCommit = CrashingCheckpoints.of(real, (key, value) -> key.equals(customers), key -> false);
            assertThatThrownBy(() -> engine.migrateDatabase(job, ProgressListener.NONE, crashingAfterCommit, new Cancellation()))
                    .hasMessageContaining("simulated crash");
            assertThat(real.get(customers)).isEmpty();
        }
        try (Connection s = source.connect("shop"); Connection t = target.connect("crashed_small")) {
            assertThat(OfflineMigrationIT.count(t, "SELECT count(*) FROM shop.customers"))
                    .as("the crashed run's commit landed").isEqualTo(OfflineMigrationIT.count(s,
                            "SELECT count(*) FROM shop.customers"));
        }
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            engine.migrateDatabase(job, ProgressListener.NONE, checkpoints, new Cancellation());
            assertThat(checkpoints.get(customers).orElse("")).startsWith("done ");
        }
        try (Connection s = source.connect("shop"); Connection t = target.connect("crashed_small")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    /**
     * The run died after building a table's indexes and attaching its key, and every index record was lost with it:
     * the resumed run finds them on the target (read once, at the start of its index phase) and builds nothing
     * twice. The target's log shows no CREATE or ADD CONSTRAINT that failed on an existing name.
     */
    @Test
    void indexesAndKeysBuiltBeforeACrashWhoseRecordsWereLostAreFoundOnTheTarget() throws Exception {
        DatabaseJob job = job("crashed_indexes");
        Path journal = work.resolve("crash-indexes-journal");
        String customersFinished = CheckpointKeys.of("indexes", "shop", "shop", "customers");
        try (DirectoryCheckpointStore real = DirectoryCheckpointStore.open(journal)) {
            CheckpointStore losingIndexRecords = CrashingCheckpoints.of(real, (key, value) -> key.equals(customersFinished),
                    key -> key.startsWith("index/"));
            assertThatThrownBy(() -> engine.migrateDatabase(job, ProgressListener.NONE, losingIndexRecords, new Cancellation()))
                    .hasMessageContaining("simulated crash");
        }
        try (Connection t = target.connect("crashed_indexes")) {
            assertThat(OfflineMigrationIT.count(t, "SELECT count(*) FROM pg_catalog.pg_constraint WHERE conname ="
                    + " 'customers_pkey' AND contype = 'p'")).as("the key attached before the crash").isEqualTo(1);
        }
        int logBefore = target.serverLog().length();
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            engine.migrateDatabase(job, ProgressListener.NONE, checkpoints, new Cancellation());
        }
        assertThat(target.serverLog().substring(logBefore)).doesNotContain("already exists");
        try (Connection s = source.connect("shop"); Connection t = target.connect("crashed_indexes")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    private DatabaseJob job(String targetDb) {
        // Four jobs, order_lines (about 700 kB) in four key-range parts.
        return DatabaseJob.of(PgEndpoint.parse(source.uri("shop")), PgEndpoint.parse(target.uri(targetDb)), work.resolve(targetDb))
                .withCopy(CopyOptions.defaults().withJobs(1, 2).withSplitThreshold(200 * 1024));
    }
}
