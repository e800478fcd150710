package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.copy.CopyFormat;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * Every number the copy reports is exact: the live increments of each table add up to its rows on the target, and
 * so does its {@link TableStats}, for binary and text copies, whole and split tables, empty tables and tables with
 * no column to copy; a resumed copy also counts what the earlier run copied, and tells this run's rows apart.
 * (Binary COPY's header rides in front of the first row and its trailer comes alone: counting messages counted one
 * row too many per part.)
 */
@Timeout(300)
class CopyCountsIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    static final Map<String, Long> ROWS = new TreeMap<>();
    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() throws Exception {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("counts");
        source.execute("counts", """
                CREATE TABLE public.whole (id int PRIMARY KEY, v text);
                INSERT INTO public.whole SELECT g, 'v' || g FROM generate_series(1, 10000) g;
                CREATE TABLE public.by_key (id bigint PRIMARY KEY, pad text);
                INSERT INTO public.by_key SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 20000) g;
                CREATE TABLE public.by_ctid (pad text);
                INSERT INTO public.by_ctid SELECT repeat(md5(g::text), 4) FROM generate_series(1, 15001) g;
                CREATE TABLE public.empty (id int PRIMARY KEY);
                CREATE TABLE public.no_columns ();
                INSERT INTO public.no_columns SELECT FROM generate_series(1, 7);
                CREATE TABLE public.one_row (id int PRIMARY KEY);
                INSERT INTO public.one_row VALUES (1);
                """);
        ROWS.putAll(Map.of("public.whole", 10000L, "public.by_key", 20000L, "public.by_ctid", 15001L,
                "public.empty", 0L, "public.no_columns", 7L, "public.one_row", 1L));
    }

    @Test
    void binaryCopiesCountEachRowOnceInWholeAndSplitTables() throws Exception {
        assertExactCounts(CopyFormat.AUTO, "counts_binary"); // same major: binary for all of these tables
    }

    @Test
    void textCopiesCountEachRowOnceInWholeAndSplitTables() throws Exception {
        assertExactCounts(CopyFormat.TEXT, "counts_text");
    }

    @Test
    void aResumedCopyCountsTheEarlierRunsRowsAndSaysWhichAreThisRuns() throws Exception {
        DatabaseJob job = job("counts_resumed", CopyFormat.AUTO);
        Path journal = work.resolve("journal");
        Cancellation cancel = new Cancellation();
        Counting first = new Counting() {
            @Override
            public void tableCompleted(String database, TableStats stats) {
                super.tableCompleted(database, stats);
                cancel.cancel("canceled by the test"); // after the first table
            }
        };
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            assertThatThrownBy(() -> engine.migrateDatabase(job, first, checkpoints, cancel))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error()).isEqualTo(EngineError.CANCELED));
        }
        long firstRunRows = first.live.values().stream().mapToLong(AtomicLong::get).sum();
        assertThat(first.completed).isNotEmpty();
        String done = first.completed.keySet().iterator().next();
        assertThat(firstRunRows).isPositive();

        Counting resumed = new Counting();
        DatabaseReport report;
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            report = engine.migrateDatabase(job, resumed, checkpoints, new Cancellation());
        }
        long total = ROWS.values().stream().mapToLong(Long::longValue).sum();
        long thisRun = resumed.live.values().stream().mapToLong(AtomicLong::get).sum();
        assertThat(report.rows()).as("every row of the clone, the earlier run's too").isEqualTo(total);
        assertThat(resumed.earlierRows.get()).as("what the first run had committed").isPositive()
                .isEqualTo(total - thisRun);
        assertThat(report.tables().stream().mapToLong(TableStats::rowsThisRun).sum()).isEqualTo(thisRun);
        TableStats earlier = report.tables().stream().filter(t -> t.table().equals(done)).findFirst().orElseThrow();
        assertThat(earlier.rows()).as(done).isEqualTo(ROWS.get(done)).isPositive();
        assertThat(earlier.rowsThisRun()).isZero();
        assertThat(earlier.resumed()).isTrue();
        assertCountsMatchTheTarget("counts_resumed");
    }

    private void assertExactCounts(CopyFormat format, String targetDb) throws Exception {
        Counting counting = new Counting();
        DatabaseReport report = engine.migrateDatabase(job(targetDb, format), counting, CheckpointStore.NONE,
                new Cancellation());

        assertCountsMatchTheTarget(targetDb);
        Map<String, Long> live = new TreeMap<>();
        counting.live.forEach((table, rows) -> live.put(table, rows.get()));
        ROWS.keySet().forEach(table -> live.putIfAbsent(table, 0L));
        assertThat(live).as("the live increments of each table").isEqualTo(ROWS);
        Map<String, Long> completed = new TreeMap<>();
        report.tables().forEach(t -> completed.put(t.table(), t.rows()));
        assertThat(completed).as("the summary's rows of each table").isEqualTo(ROWS);
        assertThat(report.tables()).allSatisfy(t -> assertThat(t.rowsThisRun()).isEqualTo(t.rows()));
        assertThat(report.tables().stream().filter(t -> t.table().equals("public.by_key")).findFirst().orElseThrow()
                .parts()).as("split in parts").isGreaterThan(1);
        assertThat(report.tables().stream().filter(t -> t.table().equals("public.by_ctid")).findFirst().orElseThrow()
                .parts()).as("split in parts").isGreaterThan(1);
        assertThat(counting.earlierRows.get()).isZero();
    }

    private static void assertCountsMatchTheTarget(String targetDb) throws Exception {
        try (Connection t = target.connect(targetDb); Statement s = t.createStatement()) {
            for (Map.Entry<String, Long> e : ROWS.entrySet()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + e.getKey())) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(e.getKey()).isEqualTo(e.getValue());
                }
            }
        }
    }

    private DatabaseJob job(String targetDb, CopyFormat format) {
        // One job, largest first; tables above 256 kB go in parts (by key, or by ctid for the keyless one).
        return DatabaseJob.of(PgEndpoint.parse(source.uri("counts")), PgEndpoint.parse(target.uri(targetDb)),
                        work.resolve(targetDb))
                .withCopy(CopyOptions.defaults().withJobs(1, 1).withSplitThreshold(256 * 1024).withFormat(format));
    }

    /** Sums the live increments per table, and what the engine says the earlier runs copied. */
    static class Counting implements ProgressListener {
        final Map<String, AtomicLong> live = new ConcurrentHashMap<>();
        final Map<String, TableStats> completed = new ConcurrentHashMap<>();
        final AtomicLong earlierRows = new AtomicLong();

        @Override
        public void rowsCopied(String database, String table, long rows, long bytes) {
            live.computeIfAbsent(table, k -> new AtomicLong()).addAndGet(rows);
        }

        @Override
        public void copiedEarlier(String database, long rows, long bytes) {
            earlierRows.addAndGet(rows);
        }

        @Override
        public void tableCompleted(String database, TableStats stats) {
            completed.put(stats.table(), stats);
        }
    }
}
