package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.copy.CopyFormat;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

@Timeout(300)
class OfflineMigrationIT {

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
            SampleDatabase.load(c, 3000);
        }
        // One table under EmptyTargetTables' 1 MB and one over it (about 3 MB), neither with a key.
        source.createDatabase("sizes");
        source.execute("sizes", "CREATE TABLE public.small (n int, note text);"
                + "INSERT INTO public.small SELECT g, md5(g::text) FROM generate_series(1, 2000) g;"
                + "CREATE TABLE public.large (n int, payload text);"
                + "INSERT INTO public.large SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 20000) g;");
    }

    /**
     * A small table the target proves empty (no blocks) is loaded by a plain COPY: no TRUNCATE, which would give it
     * new files (its relfilenode stays the one pre-data made). A larger one is still truncated and loaded frozen.
     */
    @Test
    void aSmallTableTheTargetProvesEmptyIsLoadedWithoutTruncateAndALargerOneIsReplaced() throws Exception {
        String files = "SELECT string_agg(relname || '=' || relfilenode, ' ' ORDER BY relname) FROM pg_catalog.pg_class"
                + " WHERE relname IN ('small', 'large') AND relnamespace = 'public'::regnamespace";
        java.util.concurrent.atomic.AtomicReference<String> beforeCopy = new java.util.concurrent.atomic.AtomicReference<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void phaseStarted(String database, org.pgmigrate.engine.progress.Phase phase) {
                if (phase == org.pgmigrate.engine.progress.Phase.COPY) {
                    beforeCopy.set(text(target, "sizes_copy", files));
                }
            }
        };
        try (Connection s = source.connect("sizes")) {
            assertThat(count(s, "SELECT pg_total_relation_size('public.small')")).isLessThan(1 << 20);
            assertThat(count(s, "SELECT pg_total_relation_size('public.large')")).isGreaterThan(1 << 20);
        }

        DatabaseReport report = engine.migrateDatabase(job("sizes", "sizes_copy"), listener, CheckpointStore.NONE,
                new Cancellation());

        assertThat(report.verification().equal()).isTrue();
        String[] before = beforeCopy.get().split(" ");
        String[] after = text(target, "sizes_copy", files).split(" ");
        assertThat(after[0]).as("large: truncated, so new files").startsWith("large=").isNotEqualTo(before[0]);
        assertThat(after[1]).as("small: loaded into the files pre-data made").startsWith("small=").isEqualTo(before[1]);
        try (Connection t = target.connect("sizes_copy")) {
            assertThat(count(t, "SELECT count(DISTINCT n) FROM public.small WHERE n BETWEEN 1 AND 2000")).isEqualTo(2000);
            assertThat(count(t, "SELECT count(*) FROM public.small")).isEqualTo(2000);
            assertThat(count(t, "SELECT count(*) FROM public.large")).isEqualTo(20000);
        }
    }


    @Test
    void copiesTheSampleDatabaseExactlyWithSplitTablesAndBuildsEveryObject() throws Exception {
        DatabaseJob job = job("shop", "shop_copy").withCopy(CopyOptions.defaults().withJobs(3, 2).withSplitThreshold(64 * 1024));

        DatabaseReport report = engine.migrateDatabase(job, org.pgmigrate.engine.progress.ProgressListener.NONE,
                CheckpointStore.NONE, new Cancellation());

        try (Connection s = source.connect("shop"); Connection t = target.connect("shop_copy")) {
            DatabaseComparer.assertEqual(s, t);
            assertThat(count(t, "SELECT count(*) FROM shop.orders")).isEqualTo(3000);
            // The audit trigger exists on the target but did not fire while the rows were copied.
            assertThat(count(t, "SELECT count(*) FROM pg_trigger WHERE tgname = 'orders_audit'")).isEqualTo(1);
            assertThat(count(t, "SELECT count(*) FROM shop.audit_log")).isEqualTo(count(s, "SELECT count(*) FROM shop.audit_log"));
        }
        assertThat(report.verification().equal()).isTrue();
        assertThat(report.tables()).anySatisfy(table -> {
            assertThat(table.table()).isEqualTo("shop.order_lines");
            assertThat(table.parts()).isGreaterThan(1);
            assertThat(table.rows()).isEqualTo(9000);
        });
        assertThat(report.largeObjects()).isEqualTo(3);
    }

    @Test
    void aSourceSequenceThatMovesOnDuringTheMigrationDoesNotFailVerification() throws Exception {
        ProgressListener busySource = new ProgressListener() {
            @Override
            public void phaseStarted(String database, org.pgmigrate.engine.progress.Phase phase) {
                if (phase == org.pgmigrate.engine.progress.Phase.VERIFY) {
                    source.execute("shop", "SELECT nextval('shop.invoice_numbers')");
                }
            }
        };
        DatabaseReport report = engine.migrateDatabase(job("shop", "shop_busy"), busySource, CheckpointStore.NONE, new Cancellation());
        assertThat(report.verification().sequenceMismatches()).isEmpty();
        try (Connection t = target.connect("shop_busy")) {
            assertThat(count(t, "SELECT last_value FROM shop.invoice_numbers")).isEqualTo(1014);
        }
    }

    @Test
    void verifiesBinaryCopiedTablesAgainstTheRowsTheCopyReadAndOthersOnBothServers() throws Exception {
        DatabaseJob job = job("shop", "shop_digests").withCopy(CopyOptions.defaults().withSplitThreshold(64 * 1024));

        DatabaseReport report = engine.migrateDatabase(job, ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());

        assertThat(report.verification().equal()).isTrue();
        assertThat(report.verification().tables()).anySatisfy(v -> {
            // All core types, split into parts: the parts' digests add up to the table's.
            assertThat(v.table()).isEqualTo("shop.order_lines");
            assertThat(v.source().method()).isEqualTo("copy-stream-murmur3-128");
            assertThat(v.target().rows()).isEqualTo(9000);
        }).anySatisfy(v -> {
            // An enum column: copied as text, so fingerprinted on both servers.
            assertThat(v.table()).isEqualTo("shop.orders");
            assertThat(v.source().method()).isEqualTo("multiset-128");
        });
    }

    @Test
    void aTargetRowChangedAfterItsCopyFailsVerificationAndNamesTheTable() throws Exception {
        DatabaseJob job = job("shop", "shop_changed").withCopy(CopyOptions.defaults().withSplitThreshold(64 * 1024));

        assertThatThrownBy(() -> engine.migrateDatabase(job, tamperWith("shop_changed", "shop.order_lines",
                "UPDATE shop.order_lines SET qty = qty + 1 WHERE order_id = 1 AND line = 1"), CheckpointStore.NONE,
                new Cancellation()))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.VERIFICATION_MISMATCH);
                    assertThat(e.getMessage()).contains("shop.order_lines: 9000 rows on both sides, but their contents differ");
                });
    }

    @Test
    void aTargetRowDeletedAfterItsCopyFailsVerificationWithBothCounts() throws Exception {
        DatabaseJob job = job("shop", "shop_deleted");

        assertThatThrownBy(() -> engine.migrateDatabase(job, tamperWith("shop_deleted", "shop.order_lines",
                "DELETE FROM shop.order_lines WHERE order_id = 1 AND line = 1"), CheckpointStore.NONE, new Cancellation()))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.VERIFICATION_MISMATCH);
                    assertThat(e.getMessage()).contains("shop.order_lines: 9000 rows on the source, 8999 on the target");
                });
    }

    /** Runs {@code sql} on the target as soon as {@code table}'s copy is complete: before it is verified. */
    private ProgressListener tamperWith(String database, String table, String sql) {
        return new ProgressListener() {
            @Override
            public void tableCompleted(String db, org.pgmigrate.engine.progress.TableStats stats) {
                if (stats.table().equals(table)) {
                    try (Connection t = target.connect(database)) {
                        t.createStatement().execute(sql);
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
    }

    /**
     * Autovacuum has nothing left to do on the target: every loaded table is analyzed, and one with at least
     * autovacuum_vacuum_insert_threshold (1000) rows is vacuumed too, so no table keeps the insert counter its COPY
     * left (which made autovacuum vacuum every such table during and after the run). Smaller tables are not vacuumed:
     * autovacuum never vacuums them for inserts, and a VACUUM per table scans pg_class each time. Split tables
     * (range parts, not COPY FREEZE) included.
     */
    @Test
    void leavesAutovacuumNothingToDoOnTheLoadedTables() throws Exception {
        DatabaseJob job = job("shop", "shop_vacuumed").withCopy(CopyOptions.defaults().withSplitThreshold(64 * 1024));

        engine.migrateDatabase(job, ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());

        try (Connection t = target.connect("shop_vacuumed")) {
            awaitNoPgmigrateSessions(t);
            String loaded = "FROM pg_catalog.pg_stat_user_tables s JOIN pg_catalog.pg_class c ON c.oid = s.relid"
                    + " WHERE c.relkind = 'r' AND s.n_live_tup > 0";
            assertThat(names(t, "SELECT s.relname " + loaded + " AND s.n_live_tup >= 1000"))
                    .contains("orders", "order_lines");
            assertThat(names(t, "SELECT concat_ws(' ', s.relname, s.n_live_tup, s.n_ins_since_vacuum,"
                    + " s.n_mod_since_analyze, s.last_vacuum, s.last_analyze) " + loaded + " AND (s.n_mod_since_analyze > 0"
                    // pgmigrate's VACUUM and ANALYZE, or autovacuum's where it came first (pgmigrate then does not repeat them)
                    + " OR COALESCE(s.last_analyze, s.last_autoanalyze) IS NULL"
                    + " OR (s.n_live_tup >= 1000) <> (COALESCE(s.last_vacuum, s.last_autovacuum) IS NOT NULL)"
                    + " OR (s.n_live_tup >= 1000 AND s.n_ins_since_vacuum > 0))")).isEmpty();
        }
    }

    /**
     * The statistics the per-table ANALYZE cannot gather are there: extended statistics (post-data creates the objects
     * after the index phase analyzed the tables, and that ANALYZE leaves autovacuum no reason to come back), and the
     * statistics of a partitioned table analyzed on the source (autovacuum never analyzes one), sub-partitions
     * included. Only those tables are analyzed again: a plain table is not, nor a partitioned table the source has no
     * statistics for; and a partition whose parent is analyzed is analyzed only by the parent's ANALYZE.
     */
    @Test
    void statisticsGatheredOnlyAfterPostDataAreOnTheTarget() throws Exception {
        source.createDatabase("stats");
        source.execute("stats", "CREATE TABLE public.zips (city int, zip int, state int);"
                + "INSERT INTO public.zips SELECT g % 100, g % 1000, g % 10 FROM generate_series(1, 5000) g;"
                + "CREATE STATISTICS public.zips_city_zip (dependencies, ndistinct) ON city, zip FROM public.zips;"
                + "CREATE TABLE public.plain (n int);"
                + "INSERT INTO public.plain SELECT g FROM generate_series(1, 5000) g;"
                + "CREATE TABLE public.measures (at date NOT NULL, v int) PARTITION BY RANGE (at);"
                + "CREATE TABLE public.measures_2025 PARTITION OF public.measures FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
                + "CREATE TABLE public.measures_2026 PARTITION OF public.measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
                + "INSERT INTO public.measures SELECT date '2025-01-01' + g % 700, g FROM generate_series(1, 4000) g;"
                + "CREATE TABLE public.unanalyzed (at date NOT NULL, v int) PARTITION BY RANGE (at);"
                + "CREATE TABLE public.unanalyzed_all PARTITION OF public.unanalyzed DEFAULT;"
                + "INSERT INTO public.unanalyzed SELECT date '2025-01-01' + g % 700, g FROM generate_series(1, 4000) g;"
                + "CREATE TABLE public.nested (kind text NOT NULL, at date NOT NULL, v int) PARTITION BY LIST (kind);"
                + "CREATE TABLE public.nested_a PARTITION OF public.nested FOR VALUES IN ('a') PARTITION BY RANGE (at);"
                + "CREATE TABLE public.nested_a1 PARTITION OF public.nested_a FOR VALUES FROM ('2025-01-01') TO ('2030-01-01');"
                + "CREATE TABLE public.nested_b PARTITION OF public.nested FOR VALUES IN ('b');"
                + "INSERT INTO public.nested SELECT CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, date '2025-01-01' + g % 700, g"
                + "  FROM generate_series(1, 4000) g;"
                + "ANALYZE public.zips; ANALYZE public.measures; ANALYZE public.nested;");

        engine.migrateDatabase(job("stats", "stats_copy"), ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());

        try (Connection t = target.connect("stats_copy")) {
            awaitNoPgmigrateSessions(t);
            assertThat(names(t, "SELECT statistics_name || ' ' || (dependencies IS NOT NULL) || ' ' || (n_distinct IS NOT NULL)"
                    + " FROM pg_catalog.pg_stats_ext WHERE tablename = 'zips'")).containsExactly("zips_city_zip true true");
            assertThat(names(t, "SELECT DISTINCT tablename FROM pg_catalog.pg_stats WHERE inherited ORDER BY 1"))
                    .containsExactly("measures", "nested", "nested_a");
            // A partition is analyzed by pgmigrate once: with its parent where the parent is analyzed (before 18
            // that ANALYZE does the partitions too), on its own where it is not (or not at all, had autovacuum done
            // it first).
            assertThat(names(t, "SELECT relname || ' ' || analyze_count FROM pg_catalog.pg_stat_user_tables"
                    + " WHERE relname IN ('measures_2025', 'measures_2026', 'nested_a1', 'nested_b') ORDER BY relname"))
                    .containsExactly("measures_2025 1", "measures_2026 1", "nested_a1 1", "nested_b 1");
            assertThat(count(t, "SELECT analyze_count + autoanalyze_count FROM pg_catalog.pg_stat_user_tables"
                    + " WHERE relname = 'unanalyzed_all'")).isBetween(1L, 2L);
            // Not analyzed a second time (once by pgmigrate, or by autovacuum had it come first).
            assertThat(count(t, "SELECT analyze_count FROM pg_catalog.pg_stat_user_tables WHERE relname = 'plain'"))
                    .isLessThanOrEqualTo(1);
        }
    }

    /** {@code --skip-analyze} (the service's azure.migration_skip_analyze) leaves tables alone: no VACUUM either. */
    @Test
    void withoutAnalyzeNoTableIsVacuumedOrAnalyzed() throws Exception {
        engine.migrateDatabase(job("shop", "shop_unanalyzed").withAnalyze(false), ProgressListener.NONE,
                CheckpointStore.NONE, new Cancellation());

        try (Connection t = target.connect("shop_unanalyzed")) {
            awaitNoPgmigrateSessions(t);
            assertThat(count(t, "SELECT count(*) FROM pg_catalog.pg_stat_user_tables WHERE relname = 'orders'"
                    + " AND n_live_tup = 3000 AND last_vacuum IS NULL AND last_analyze IS NULL")).isEqualTo(1);
        }
    }

    @Test
    void copiesInTextFormatToo() throws Exception {
        DatabaseJob job = job("shop", "shop_text").withCopy(CopyOptions.defaults().withFormat(CopyFormat.TEXT));
        engine.migrateDatabase(job, org.pgmigrate.engine.progress.ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop_text")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void refusesAnExistingTargetDatabaseUnlessToldToDropIt() throws Exception {
        target.createDatabase("occupied");
        target.execute("occupied", "CREATE TABLE keep_me (i int)");

        assertThatThrownBy(() -> engine.migrateDatabase(job("shop", "occupied"),
                org.pgmigrate.engine.progress.ProgressListener.NONE, CheckpointStore.NONE, new Cancellation()))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.TARGET_DATABASE_EXISTS);
                    // The engine names the database; how to allow the drop is the caller's to say, in its own terms.
                    assertThat(e.getMessage()).contains("'occupied' already exists").doesNotContain("drop-if-exists")
                            .doesNotContain("overwriteDbsInTarget");
                });
        try (Connection t = target.connect("occupied")) {
            assertThat(count(t, "SELECT count(*) FROM pg_class WHERE relname = 'keep_me'")).isEqualTo(1);
        }

        engine.migrateDatabase(job("shop", "occupied").withDropIfExists(true),
                org.pgmigrate.engine.progress.ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());
        try (Connection s = source.connect("shop"); Connection t = target.connect("occupied")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    private DatabaseJob job(String from, String to) {
        PgEndpoint s = PgEndpoint.parse(source.uri(from));
        PgEndpoint t = PgEndpoint.parse(target.uri(to));
        return DatabaseJob.of(s, t, work.resolve(to));
    }

    /** A backend's table counters reach the shared statistics at the latest when it exits. */
    private static void awaitNoPgmigrateSessions(Connection t) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> count(t, "SELECT count(*) FROM"
                + " pg_catalog.pg_stat_activity WHERE application_name LIKE 'pgmigrate%' AND pid <> pg_backend_pid()") == 0);
    }

    private static List<String> names(Connection c, String sql) throws Exception {
        List<String> names = new java.util.ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static String text(PgCluster cluster, String database, String sql) {
        try (Connection c = cluster.connect(database); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
