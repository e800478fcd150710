package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * The same mixed workload across server versions: 11 and 13 sources use protocol 1 and the legacy slot syntax
 * (no streaming: a big transaction arrives whole at commit), 14 uses protocol 2 with streaming and the legacy
 * syntax, 15+ the new syntax. The big transaction's 50,000 rows are past every limit it is there for: the source's
 * reorder buffer spills to disk beyond 4096 changes (11), streaming starts past logical_decoding_work_mem=64kB (14+),
 * and apply batches 1000 rows.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrossVersionIT {

    private static final String DDL = Workload.DDL + ";"
            + " CREATE TABLE measures (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, d float8, r real,"
            + "   n numeric, b bigint, doc jsonb, tags text[]);"
            + " CREATE TABLE docs (id int PRIMARY KEY, body text, title text);"
            + " CREATE TABLE loose (a int, b text)";

    private static final int BIG_TRANSACTION_ROWS = 50_000;

    @TempDir
    Path spool;

    @ParameterizedTest(name = "PostgreSQL {0} to {1}")
    @CsvSource({"11, 15", "16, 17"}) // every other pair: UpgradeMatrixIT (slow profile)
    void mixedWorkloadAndABigTransactionArriveIntact(int sourceVersion, int targetVersion) {
        try (PgCluster source = Testbed.cluster(sourceVersion, "xv-source");
             PgCluster target = Testbed.cluster(targetVersion, "xv-target")) {
            Testbed bed = Testbed.create(source, target, "xv", DDL);
            bed.source("INSERT INTO measures (d, r, n, b, doc, tags) VALUES (0.1, 0.1, 0.1, 1, '{}', '{a}')");
            bed.source("INSERT INTO docs SELECT g, (SELECT string_agg(md5(random()::text), '') FROM"
                    + " generate_series(1, 300)), 't' FROM generate_series(1, 3) g");
            bed.source("INSERT INTO loose VALUES (1, 'same'), (1, 'same'), (2, NULL)");
            OnlineReplication r = bed.startOnline(bed.replication("xv-" + sourceVersion + "-" + targetVersion, spool,
                    b -> b.allowReplicaIdentityFull(true)), "work", "measures", "docs", "loose");
            try (r; Workload work = new Workload(source, "xv", System.nanoTime()).start()) {
                bed.source("INSERT INTO measures (d, r, n, b, doc, tags) VALUES (-216237.00000035969, 3.4028235e38,"
                        + " 0.00000000000000006938893903907228, 35506143, '{\"k\": [1, 2.50]}', ARRAY['x''y', NULL]),"
                        + " (1e-300, 1.1, 1e40, -9223372036854775808, 'null', '{}')");
                bed.source("UPDATE measures SET d = d / 3 WHERE id > 1");
                bed.source("UPDATE docs SET title = 'toast kept' WHERE id = 1");
                bed.source("UPDATE loose SET b = 'one' WHERE ctid = (SELECT ctid FROM loose WHERE a = 1 LIMIT 1)");
                bed.source("DELETE FROM loose WHERE b IS NULL");
                bed.source("INSERT INTO work SELECT g, g, 'bulk' FROM generate_series(1, " + BIG_TRANSACTION_ROWS + ") g");
                work.stop();
                CutoverResult done = r.cutover(Duration.ofMinutes(3));
                assertThat(done.appliedPoint()).isGreaterThanOrEqualTo(done.endPoint());
                assertThat(bed.assertSameRows("work", "id")).isGreaterThanOrEqualTo(BIG_TRANSACTION_ROWS);
                bed.assertSameRows("measures", "id");
                bed.assertSameRows("docs", "id");
                bed.assertSameRows("loose", "a, b");
                ReplicationStats s = done.finalStats();
                assertThat(s.cdcInsertCounter()).isEqualTo(work.inserts.get() + BIG_TRANSACTION_ROWS + 2);
                assertThat(s.cdcUpdateCounter()).isEqualTo(work.updates.get() + 2 + 1 + 1);
                assertThat(s.cdcDeleteCounter()).isEqualTo(work.deletes.get() + 1);
                assertThat(s.peakBatchRows()).isLessThanOrEqualTo(1000);
                assertThat(bed.sourceLong("SELECT count(*) FROM pg_replication_slots")).isZero();
            }
        }
    }
}
