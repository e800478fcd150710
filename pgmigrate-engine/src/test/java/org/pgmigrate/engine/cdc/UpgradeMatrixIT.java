package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;
import org.pgmigrate.testkit.tools.NewerPgClients;

/**
 * Every upgrade pair from 11 to 18 (the target never older than the source), offline and online: the sample
 * database copied and verified offline; then online with writes during the base copy and during capture, a
 * cutover, and the comparer. Each pair appends its outcome to {@code target/upgrade-matrix.md}, the table that
 * docs/architecture.md keeps. Slow profile: about 20 s a pair, 36 pairs.
 */
@Tag("slow")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class UpgradeMatrixIT {

    private static final int OLDEST = 11;
    private static final int NEWEST = 18;
    private static final Path TABLE = Path.of("target", "upgrade-matrix.md");

    @TempDir
    Path work;

    static Stream<Arguments> pairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (int from = OLDEST; from <= NEWEST; from++) {
            for (int to = from; to <= NEWEST; to++) {
                pairs.add(Arguments.of(from, to));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "PostgreSQL {0} to {1}")
    @MethodSource("pairs")
    void offlineAndOnlineWithACutover(int from, int to) throws Exception {
        long started = System.nanoTime();
        Path tools = NewerPgClients.forSource(from);
        Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(List.of(tools)));
        try (PgCluster source = Testbed.cluster(from, "m" + from + "-" + to + "-source");
             PgCluster target = Testbed.cluster(to, "m" + from + "-" + to + "-target")) {
            for (String db : List.of("offline", "online")) {
                source.createDatabase(db);
                try (Connection c = source.connect(db)) {
                    SampleDatabase.load(c, 2_000);
                }
            }
            PgEndpoint offFrom = PgEndpoint.parse(source.uri("offline"));
            PgEndpoint offTo = PgEndpoint.parse(target.uri("offline"));
            if (from == 16 && to == 16) {
                // Debian carries no postgresql-client-16, and 17's pg_restore sets transaction_timeout, which 16
                // refuses: the engine must say so before it writes anything.
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.migrateDatabase(DatabaseJob.of(offFrom,
                        offTo, work.resolve("offline")), ProgressListener.NONE, CheckpointStore.NONE, new Cancellation()))
                        .hasMessageContaining("Install postgresql-client-16");
                recordRefused(from, to);
                return;
            }
            DatabaseReport offline = engine.migrateDatabase(DatabaseJob.of(offFrom, offTo, work.resolve("offline")),
                    ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());
            assertThat(offline.verification().equal()).isTrue();
            try (Connection s = source.connect("offline"); Connection t = target.connect("offline")) {
                DatabaseComparer.assertEqual(s, t);
            }
            long offlineDone = System.nanoTime();

            PgEndpoint onFrom = PgEndpoint.parse(source.uri("online"));
            PgEndpoint onTo = PgEndpoint.parse(target.uri("online"));
            ReplicationConfig config = ReplicationConfig.builder("m" + from + "x" + to, onFrom, onTo,
                    work.resolve("spool")).allowReplicaIdentityFull(true).build();
            CutoverResult done;
            try (OnlineMigrationIT.ShopLoad load = new OnlineMigrationIT.ShopLoad(source, 7L * from + to, "online");
                 OnlineMigration migration = new OnlineMigration(engine, DatabaseJob.of(onFrom, onTo,
                         work.resolve("online")), new OnlineReplication(config, new PgConnector()))) {
                load.start();
                migration.start(ProgressListener.NONE, new Cancellation());
                long afterCopy = load.writes.get();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> load.writes.get() > afterCopy + 100);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> migration.stats().appliedChanges() > 100);
                load.stop();
                done = migration.cutover(Duration.ofSeconds(120));
            }
            try (Connection s = source.connect("online"); Connection t = target.connect("online")) {
                s.createStatement().execute("REFRESH MATERIALIZED VIEW shop.sales_by_status");
                DatabaseComparer.assertEqual(s, t);
            }
            record(from, to, offline.tables().size(), (offlineDone - started) / 1_000_000_000.0,
                    done.finalStats().appliedChanges(), (System.nanoTime() - offlineDone) / 1_000_000_000.0);
        }
    }

    private static synchronized void recordRefused(int from, int to) throws IOException {
        header();
        Files.writeString(TABLE, String.format("| %d | %d | refused before writing: needs pg_dump 16 (Debian has none) |"
                + " same |%n", from, to), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private static void header() throws IOException {
        if (!Files.exists(TABLE)) {
            Files.writeString(TABLE, "| source | target | offline (tables, s) | online (changes applied, s) |\n"
                    + "|---|---|---|---|\n", StandardCharsets.UTF_8);
        }
    }

    private static synchronized void record(int from, int to, int tables, double offlineSeconds, long changes,
                                            double onlineSeconds) throws IOException {
        header();
        Files.writeString(TABLE, String.format("| %d | %d | ok (%d, %.1f) | ok (%d, %.1f) |%n", from, to, tables,
                offlineSeconds, changes, onlineSeconds), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
