package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.CheckpointKeys;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * {@code "a.b".c} and {@code a."b.c"} both read {@code a.b.c} unquoted: their checkpoints (plan, parts, indexes) must
 * not be shared, or one table's progress would stand for the other's.
 */
@Timeout(300)
class QuotedNamesIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("dots");
        // The larger table is copied first (one job, largest first).
        source.execute("dots", """
                CREATE SCHEMA "a.b";
                CREATE SCHEMA a;
                CREATE TABLE "a.b".c (id int PRIMARY KEY, v text);
                CREATE TABLE a."b.c" (id int PRIMARY KEY, v text);
                INSERT INTO "a.b".c SELECT g, 'schema a.b, table c ' || g FROM generate_series(1, 20000) g;
                INSERT INTO a."b.c" SELECT g, 'schema a, table b.c ' || g FROM generate_series(1, 10) g;
                """);
    }

    @Test
    void bothTablesAreCopiedWithTheirIndexes() throws Exception {
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("full"))) {
            engine.migrateDatabase(job("dots_full"), ProgressListener.NONE, checkpoints, new Cancellation());
        }
        try (Connection t = target.connect("dots_full")) {
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM \"a.b\".c")).containsExactly("20000");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM a.\"b.c\"")).containsExactly("10");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM pg_catalog.pg_index"
                    + " WHERE indrelid IN ('\"a.b\".c'::regclass, 'a.\"b.c\"'::regclass) AND indisprimary"))
                    .containsExactly("2");
        }
        try (Connection s = source.connect("dots"); Connection t = target.connect("dots_full")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void aResumedRunSkipsTheFinishedTableAndCopiesTheOther() throws Exception {
        Path journal = work.resolve("resumed");
        Cancellation cancel = new Cancellation();
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            ProgressListener stopAfterFirstTable = new ProgressListener() {
                @Override
                public void tableCompleted(String database, TableStats stats) {
                    cancel.cancel("canceled by the test");
                }
            };
            assertThatThrownBy(() -> engine.migrateDatabase(job("dots_resumed"), stopAfterFirstTable, checkpoints, cancel))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error()).isEqualTo(EngineError.CANCELED));
            // A finished part records "done <rows> <bytes>".
            assertThat(checkpoints.get(CheckpointKeys.of("part", "dots", "a.b", "c") + "/1of1")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("done "));
            assertThat(checkpoints.get(CheckpointKeys.of("part", "dots", "a", "b.c") + "/1of1")).isEmpty();
        }
        String fileBefore;
        try (Connection t = target.connect("dots_resumed")) {
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM a.\"b.c\"")).containsExactly("0");
            fileBefore = EdgeCasesIT.query(t, "SELECT pg_relation_filenode('\"a.b\".c')").get(0);
        }

        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            engine.migrateDatabase(job("dots_resumed"), ProgressListener.NONE, checkpoints, new Cancellation());
        }
        try (Connection t = target.connect("dots_resumed")) {
            // A reload would TRUNCATE "a.b".c, which gives it a new file: the same file means it was skipped.
            assertThat(EdgeCasesIT.query(t, "SELECT pg_relation_filenode('\"a.b\".c')")).containsExactly(fileBefore);
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM a.\"b.c\"")).containsExactly("10");
        }
        try (Connection s = source.connect("dots"); Connection t = target.connect("dots_resumed")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    private DatabaseJob job(String targetDb) {
        return DatabaseJob.of(PgEndpoint.parse(source.uri("dots")), PgEndpoint.parse(target.uri(targetDb)),
                work.resolve(targetDb)).withCopy(CopyOptions.defaults().withJobs(1, 1));
    }
}
