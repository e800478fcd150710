package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.schema.PgTools;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;
import org.pgmigrate.testkit.tools.NewerPgClients;

@Timeout(300)
class CrossVersionIT {

    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    @ParameterizedTest(name = "PostgreSQL {0} to {1}")
    @CsvSource({"11, 15", "16, 18"}) // every other pair: cdc.UpgradeMatrixIT (slow profile)
    void migratesTheSampleDatabaseAcrossMajorVersions(int from, int to) throws Exception {
        try (PgCluster source = PgCluster.builder().version(from).name("source").start();
             PgCluster target = PgCluster.builder().version(to).name("target").start()) {
            source.createDatabase("shop");
            try (Connection c = source.connect("shop")) {
                SampleDatabase.load(c, 1000);
            }
            // A 16 source needs a pg_dump of 16 or newer, which Debian 12 lacks: the testkit fetches 17's.
            Engine withTools = new Engine(EngineSettings.defaults().withToolSearchPath(
                    List.of(NewerPgClients.forSource(from))));
            DatabaseReport report = withTools.migrateDatabase(job(source, target), ProgressListener.NONE,
                    CheckpointStore.NONE, new Cancellation());
            assertThat(report.verification().equal()).isTrue();
            try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
                DatabaseComparer.assertEqual(s, t);
            }
        }
    }

    @Test
    void refusesATargetOlderThanTheSourceBeforeWritingAnything() throws Exception {
        try (PgCluster source = PgCluster.builder().version(15).name("source").start();
             PgCluster target = PgCluster.builder().version(13).name("target").start()) {
            source.createDatabase("shop");
            assertThatThrownBy(() -> engine.migrateDatabase(job(source, target), ProgressListener.NONE, CheckpointStore.NONE,
                    new Cancellation()))
                    .isInstanceOfSatisfying(EngineException.class, e -> {
                        assertThat(e.error()).isEqualTo(EngineError.TARGET_OLDER_THAN_SOURCE);
                        assertThat(e.getMessage()).contains("runs PostgreSQL 13").contains("older than the source's 15")
                                .contains("15 or newer");
                    });
            assertThat(target.connect("postgres").createStatement()
                    .executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'shop'")).satisfies(rs -> {
                        rs.next();
                        assertThat(rs.getInt(1)).isZero();
                    });
        }
    }

    @Test
    void saysWhichPgDumpToInstallWhenNoneIsNewEnoughForTheSource() throws Exception {
        List<PgTools> installed = PgTools.discover(List.of());
        assumeTrue(installed.stream().noneMatch(t -> t.major() >= 17), "a pg_dump 17 is installed here");
        try (PgCluster source = PgCluster.builder().version(17).name("source").start();
             PgCluster target = PgCluster.builder().version(17).name("target").start()) {
            source.createDatabase("shop");
            assertThatThrownBy(() -> engine.migrateDatabase(job(source, target), ProgressListener.NONE, CheckpointStore.NONE,
                    new Cancellation()))
                    .isInstanceOfSatisfying(EngineException.class, e -> {
                        assertThat(e.error()).isEqualTo(EngineError.NO_SUITABLE_PG_DUMP);
                        assertThat(e.getMessage()).contains("PostgreSQL 17").contains("postgresql-client-17");
                    });
        }
    }

    private DatabaseJob job(PgCluster source, PgCluster target) {
        // A small split threshold: key ranges everywhere, ctid ranges only from 14 (older sources copy keyless tables whole).
        return DatabaseJob.of(PgEndpoint.parse(source.uri("shop")), PgEndpoint.parse(target.uri("shop")), work.resolve("shop"))
                .withCopy(org.pgmigrate.engine.copy.CopyOptions.defaults().withSplitThreshold(64 * 1024));
    }
}
