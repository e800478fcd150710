package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

/**
 * Offline migrations from the oldest sources pgmigrate takes, 9.5, 9.6 and 10, into a 15 target: the sample
 * database (in the shape each version can have: serial keys before 10, inheritance partitioning before 10) arrives
 * whole, the engine's verification passes, and the testkit's comparer finds no difference. One target serves every
 * source, each into a database of its own; the four clusters start, and the sources load, at once.
 */
@Timeout(300)
class OldSourcesIT {

    static final int ROWS = 1000;
    static final Map<Integer, PgCluster> SOURCES = new ConcurrentHashMap<>();
    static PgCluster target;

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() throws Exception {
        ExecutorService starting = Executors.newFixedThreadPool(4);
        try {
            Future<PgCluster> targetStart = starting.submit(() -> PgCluster.builder().version(15).name("old-sources-target").start());
            List<Future<?>> sources = new ArrayList<>();
            for (int major : new int[] {95, 96, 10}) {
                sources.add(starting.submit(() -> {
                    PgCluster source = PgCluster.builder().version(major).name("old-source").start();
                    SOURCES.put(major, source);
                    source.createDatabase("shop");
                    try (Connection c = source.connect("shop")) {
                        SampleDatabase.load(c, ROWS);
                    }
                    return null;
                }));
            }
            target = targetStart.get();
            for (Future<?> f : sources) {
                f.get();
            }
        } finally {
            starting.shutdown();
        }
    }

    @AfterAll
    static void stopClusters() {
        SOURCES.values().forEach(PgCluster::close);
        if (target != null) {
            target.close();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0} to 15")
    @ValueSource(ints = {95, 96, 10})
    void migratesTheSampleDatabaseOfflineFromAnOldSource(int major) throws Exception {
        PgCluster source = SOURCES.get(major);
        String into = "shop_from_" + source.versionLabel().replace('.', '_');
        // A small split threshold: the keyed tables copy in key ranges (ctid ranges need 14).
        DatabaseJob job = DatabaseJob.of(PgEndpoint.parse(source.uri("shop")), PgEndpoint.parse(target.uri(into)),
                work.resolve("shop")).withCopy(CopyOptions.defaults().withSplitThreshold(64 * 1024));
        DatabaseReport report = new Engine(EngineSettings.defaults()).migrateDatabase(job, ProgressListener.NONE,
                CheckpointStore.NONE, new Cancellation());

        assertThat(report.verification().equal()).isTrue();
        try (Connection s = source.connect("shop"); Connection t = target.connect(into)) {
            DatabaseComparer.assertEqual(s, t);
            assertThat(count(t, "SELECT count(*) FROM shop.orders")).isEqualTo(ROWS);
            assertThat(count(t, "SELECT count(*) FROM shop.events")).isEqualTo(ROWS);
            assertThat(count(t, "SELECT count(*) FROM shop.events_2026")).isPositive();
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
