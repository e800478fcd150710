package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.RestoreGate;

/**
 * Restart safety: the service runs as a child JVM, is killed with SIGKILL in the middle of the copy, and started
 * again on the same data dir. The migration resumes from its checkpoints and completes; counts and hashes prove that
 * nothing was lost and nothing copied twice (the tables have no key, so a duplicate would show).
 */
@Timeout(600)
class RestartSafetyIT {

    private static final int TABLES = 8;
    private static final int ROWS = 40_000;
    private static final String COPY_GATE = "gate_restart_copy";
    private static final int GATE_ROW = 1000;
    private ServiceProcesses nodes;
    private Path dataDir;

    @AfterEach
    void cleanUp() throws IOException {
        if (nodes != null) {
            nodes.close();
            nodes = null;
        }
        if (dataDir != null && System.getenv("PGMIGRATE_KEEP_TEST_DIRS") == null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aServiceKilledMidCopyResumesAndCompletesWithNothingLostOrDuplicated() throws Exception {
        try (PgCluster source = PgCluster.builder().version(15).name("restart-source").start();
             PgCluster target = PgCluster.builder().version(15).name("restart-target").start()) {
            source.createDatabase("sales");
            StringBuilder ddl = new StringBuilder();
            for (int i = 1; i <= TABLES; i++) {
                ddl.append("CREATE TABLE t").append(i).append(" (id bigint, v text); INSERT INTO t").append(i)
                        .append(" SELECT g, md5(g::text) || md5((g * ").append(i).append(")::text) FROM generate_series(1, ")
                        .append(ROWS).append(") g;");
            }
            ddl.append("CREATE TABLE keyed (id int PRIMARY KEY, v text); INSERT INTO keyed SELECT g, 'k' || g FROM generate_series(1, 1000) g;");
            // gated: its copy stops at row GATE_ROW on the target while the gate is held (a domain CHECK calls it for
            // that value only), so the kill always lands in the middle of the copy, whatever the machine's speed.
            ddl.append(RestoreGate.functionSql()).append("CREATE DOMAIN public.gated_int AS int CHECK (VALUE <> ")
                    .append(GATE_ROW).append(" OR public.restore_gate('").append(COPY_GATE).append("'));")
                    .append("CREATE TABLE gated (n public.gated_int, v text); INSERT INTO gated SELECT g, md5(g::text)")
                    .append(" FROM generate_series(1, ").append(2 * GATE_ROW).append(") g;");
            source.execute("sales", ddl.toString());
            dataDir = Files.createTempDirectory("pgmigrate-restart-it");

            ArmClient first = new ArmClient(startService());
            assertThat(first.registerServer("flexibleServers", "target1", target.host(), target.port()).status()).isEqualTo(201);
            String path = migrationPath("target1", "restart1");
            try (RestoreGate gate = RestoreGate.hold(target, COPY_GATE)) {
                assertThat(first.put(path, MigrationBodies.seedShape(source, target, source.password(), false, "sales"))
                        .status()).isEqualTo(201);
                gate.awaitWaiter("pgmigrate-copy", Duration.ofMinutes(4), Set.of());
                Response midCopy = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                        .until(() -> first.get(path), r -> r.db("sales").path("fullLoadCompletedTables").asLong() >= 2);
                assertThat(midCopy.db("sales").path("fullLoadCompletedTables").asLong()).isLessThan(TABLES + 2);
                nodes.killLatest();
            }

            Files.delete(dataDir.resolve("endpoint"));
            ArmClient second = new ArmClient(startService());
            Response done = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> second.get(path), r -> !r.state().equals("InProgress"));
            assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
            long totalRows = (long) TABLES * ROWS + 1000 + 2 * GATE_ROW;
            // copiedRows counts every row of the database, the killed run's too, exactly once; the second node's
            // own counter shows that it copied only what was unfinished.
            assertThat(done.db("sales").path("copiedRows").asLong()).isEqualTo(totalRows);
            assertThat(done.db("sales").path("copiedBytes").asLong()).isEqualTo(done.db("sales").path("totalBytes").asLong());
            String metrics = second.raw("GET", "/metrics", null).body();
            assertThat(rowsCopiedBy(metrics)).as("the resumed run copied only what was unfinished")
                    .isPositive().isLessThan(totalRows);
            assertThat(done.db("sales").path("fullLoadCompletedTables").asLong()).isEqualTo(TABLES + 2);
            try (Connection s = source.connect("sales"); Connection t = target.connect("sales")) {
                for (int i = 1; i <= TABLES; i++) {
                    assertThat(count(t, "t" + i)).as("t" + i).isEqualTo(ROWS);
                }
                assertThat(count(t, "gated")).as("the table held at the gate, copied once").isEqualTo(2 * GATE_ROW);
                assertThat(DatabaseComparer.differences(s, t)).isEmpty();
            }
            assertThat(Files.readString(dataDir.resolve("service-2.log"))).contains("Resuming database sales")
                    .doesNotContain(source.password()).doesNotContain(target.password());
            assertThat(Files.readString(dataDir.resolve("service-1.log")))
                    .doesNotContain(source.password()).doesNotContain(target.password());
        }
    }

    /**
     * The service is killed while pg_restore is in the middle of pre-data (held there by a {@link RestoreGate}); that
     * pg_restore outlives it. The restarted service drops the half-restored database it proves its own, ends the
     * leftover pg_restore with it, restores the schema again, and the migration succeeds.
     */
    @Test
    void aServiceKilledDuringPreDataResumesToSucceeded() throws Exception {
        try (PgCluster source = PgCluster.builder().version(15).name("predata-source").start();
             PgCluster target = PgCluster.builder().version(15).name("predata-target").start()) {
            source.createDatabase("shop");
            source.execute("shop", RestoreGate.functionSql() + RestoreGate.preDataObjects("gate_service")
                    + "CREATE TABLE orders (id int PRIMARY KEY, note text);"
                    + "INSERT INTO orders SELECT g, 'n' || g FROM generate_series(1, 5000) g;");
            dataDir = Files.createTempDirectory("pgmigrate-predata-it");
            try (RestoreGate gate = RestoreGate.hold(target, "gate_service")) {
                ArmClient first = new ArmClient(startService());
                assertThat(first.registerServer("flexibleServers", "target1", target.host(), target.port()).status())
                        .isEqualTo(201);
                String path = migrationPath("target1", "predata1");
                assertThat(first.put(path, MigrationBodies.seedShape(source, target, source.password(), false, "shop"))
                        .status()).isEqualTo(201);
                int leftover = gate.awaitWaiter(Duration.ofMinutes(3), java.util.Set.of());
                nodes.killLatest();
                assertThat(gate.isConnected(leftover)).as("the killed service's pg_restore lives on").isTrue();

                Files.delete(dataDir.resolve("endpoint"));
                ArmClient second = new ArmClient(startService());
                gate.awaitWaiter(Duration.ofMinutes(3), java.util.Set.of(leftover));
                assertThat(gate.isConnected(leftover)).as("ended with the half-restored database").isFalse();
                gate.open();
                Response done = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                        .until(() -> second.get(path), r -> !r.state().equals("InProgress"));
                assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
            }
            try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
                assertThat(DatabaseComparer.differences(s, t)).isEmpty();
            }
            assertThat(Files.readString(dataDir.resolve("service-2.log")))
                    .contains("the half-restored database it created is dropped and created again");
        }
    }

    /** Starts a service JVM on the data dir and returns the dir once its endpoint file is written. */
    /** Starts a service node (a child JVM) on the data dir; returns the data dir once it listens. */
    private Path startService() throws IOException {
        if (nodes == null) {
            nodes = new ServiceProcesses(dataDir);
        }
        nodes.start();
        return dataDir;
    }

    /** pgmigrate_rows_copied_total of one node: the rows that node copied itself. */
    private static long rowsCopiedBy(String prometheus) {
        for (String line : prometheus.split("\n")) {
            // the series carries the node's label: pgmigrate_rows_copied_total{node="..."} 1501000.0
            if (line.startsWith("pgmigrate_rows_copied_total ") || line.startsWith("pgmigrate_rows_copied_total{")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no pgmigrate_rows_copied_total in " + prometheus);
    }

    private static long count(Connection c, String table) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
