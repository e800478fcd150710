package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.cdc.ReplicationNames;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.RestoreGate;

/**
 * Restart safety of online migrations: the service runs as a child JVM and is killed with SIGKILL. During change
 * capture, the next start resumes from the slot and spool it kept, with nothing lost and nothing applied twice
 * (a table without a key would show a duplicate). During the base copy, which cannot resume under a new snapshot,
 * the next start copies the database again from a new slot, and says so.
 */
@Timeout(600)
class OnlineRestartSafetyIT {

    private static final String TARGET = "restart-target";
    private static final String COPY_GATE = "gate_online_copy";
    private static final int GATE_ROW = 1000;
    private static PgCluster source;
    private static PgCluster target;
    private ServiceProcesses nodes;
    private Path dataDir;

    @BeforeAll
    static void clusters() throws Exception {
        source = PgCluster.builder().version(15).name("online-restart-source").start();
        target = PgCluster.builder().version(15).name("online-restart-target").start();
        source.createDatabase("orders");
        MixedWorkload.createSchema(source, "orders", 50_000);
        // archive: the copy of "gated" stops at row GATE_ROW on the target while the gate is held (a domain CHECK
        // calls it for that value only), so the test kills the service in the middle of a base copy every time.
        source.createDatabase("archive");
        source.execute("archive", RestoreGate.functionSql()
                + "CREATE DOMAIN public.gated_int AS int CHECK (VALUE <> " + GATE_ROW
                + " OR public.restore_gate('" + COPY_GATE + "'));"
                + "CREATE TABLE gated (n public.gated_int, payload text);"
                + "INSERT INTO gated SELECT g, md5(g::text) FROM generate_series(1, " + 2 * GATE_ROW + ") g;"
                + "CREATE TABLE entries (id bigint PRIMARY KEY, payload text); "
                + "INSERT INTO entries SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 20000) g; "
                + "CREATE TABLE notes (line text); INSERT INTO notes VALUES ('first')");
    }

    @AfterAll
    static void stopClusters() {
        for (PgCluster c : new PgCluster[] {source, target}) {
            if (c != null) {
                c.close();
            }
        }
    }

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
    void aServiceKilledDuringChangeCaptureResumesWithNothingLostOrAppliedTwice() throws Exception {
        dataDir = Files.createTempDirectory("pgmigrate-online-restart-it");
        ArmClient first = new ArmClient(startService());
        assertThat(first.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
        String path = migrationPath(TARGET, "online-kill-cdc");
        assertThat(first.put(path, MigrationBodies.online(source, target, "Migrate", true, "orders")).status())
                .isEqualTo(201);
        MixedWorkload load = new MixedWorkload(source, "orders", 7).start();
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> first.get(path), r -> r.subState().equals("WaitingForCutoverTrigger")
                            && r.db("orders").path("appliedChanges").asLong() > 300);
            nodes.killLatest();
            long writtenWhileDown = load.total();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> load.total() > writtenWhileDown + 300);

            ArmClient second = new ArmClient(startService());
            Response resumed = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> second.get(path), r -> r.db("orders").path("appliedChanges").asLong() > 0
                            && r.db("orders").path("latency").asLong() <= 2);
            assertThat(resumed.subState()).as(resumed.body()).isEqualTo("WaitingForCutoverTrigger");
        } finally {
            load.close();
        }
        assertThat(load.failure.get()).isNull();
        ArmClient second = new ArmClient(dataDir);
        Response caughtUp = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> second.get(path), r -> r.db("orders").path("latency").asLong() == 0);
        assertThat(caughtUp.db("orders").path("pendingBytes").asLong()).isNotNegative();
        assertThat(caughtUp.db("orders").path("appliedChanges").asLong())
                .as("counters carry over the restart (up to the last second before the kill)")
                .isGreaterThan(300).isLessThanOrEqualTo(load.total());
        assertThat(second.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
        Response done = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> second.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        try (Connection s = source.connect("orders"); Connection t = target.connect("orders")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
        assertThat(Files.readString(dataDir.resolve("service-2.log"))).contains("change capture resumed from slot")
                .doesNotContain(source.password()).doesNotContain(target.password());
        assertThat(slotCount("orders")).isZero();
    }

    @Test
    void aServiceKilledDuringTheBaseCopyStartsThatDatabaseOverFromANewSlot() throws Exception {
        dataDir = Files.createTempDirectory("pgmigrate-online-restart-it");
        ArmClient first = new ArmClient(startService());
        assertThat(first.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
        String path = migrationPath(TARGET, "online-kill-copy");
        String slot;
        try (RestoreGate gate = RestoreGate.hold(target, COPY_GATE)) {
            Response created = first.put(path, MigrationBodies.online(source, target, "Migrate", true, "archive"));
            assertThat(created.status()).isEqualTo(201);
            slot = ReplicationNames.of(created.json().path("properties").path("migrationId").asText(), "archive").slot();
            gate.awaitWaiter("pgmigrate-copy", Duration.ofMinutes(2), Set.of());
            nodes.killLatest();
        }
        source.execute("archive", "INSERT INTO notes VALUES ('while the service was down'); "
                + "UPDATE entries SET payload = 'changed' WHERE id = 1");

        ArmClient second = new ArmClient(startService());
        Response waiting = await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                .until(() -> second.get(path), r -> !r.state().equals("InProgress"));
        assertThat(waiting.subState()).as(waiting.body()).isEqualTo("WaitingForCutoverTrigger");
        assertThat(waiting.db("archive").path("message").asText()).contains("cannot resume under a new snapshot")
                .contains("started over (attempt 2)").contains("target database dropped and copied again");
        assertThat(slotCount("archive")).as("only the new attempt's slot").isEqualTo(1);
        source.execute("archive", "INSERT INTO notes VALUES ('after the new copy')");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> second.get(path).db("archive").path("cdcInsertCounter").asLong() == 1);
        assertThat(second.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
        Response done = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> second.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        try (Connection s = source.connect("archive"); Connection t = target.connect("archive")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
        assertThat(slotCount("archive")).isZero();
        assertThat(slot).startsWith("pgmigrate_");
    }

    @Test
    void aRestartNeverWritesIntoATargetDatabaseSomeoneCreatedAgainWhileTheServiceWasDown() throws Exception {
        source.createDatabase("ledger");
        source.execute("ledger", "CREATE TABLE entries (id int PRIMARY KEY, v text);"
                + " INSERT INTO entries SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        dataDir = Files.createTempDirectory("pgmigrate-online-restart-it");
        ArmClient first = new ArmClient(startService());
        assertThat(first.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
        String path = migrationPath(TARGET, "online-swapped-target");
        assertThat(first.put(path, MigrationBodies.online(source, target, "Migrate", true, "ledger")).status())
                .isEqualTo(201);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> first.get(path), r -> r.subState().equals("WaitingForCutoverTrigger"));
        nodes.killLatest();
        target.execute("postgres", "DROP DATABASE ledger");
        target.createDatabase("ledger");
        target.execute("ledger", "CREATE TABLE entries (id int PRIMARY KEY, v text); INSERT INTO entries VALUES (1, 'theirs')");

        ArmClient second = new ArmClient(startService());
        Response failed = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> second.get(path), r -> r.db("ledger").path("migrationState").asText().equals("Failed"));
        assertThat(failed.db("ledger").path("message").asText())
                .contains("is not the one an earlier run of this migration created").contains("left it untouched");
        try (Connection t = target.connect("ledger"); Statement s = t.createStatement();
             ResultSet rs = s.executeQuery("SELECT string_agg(id || '=' || v, ',') FROM entries")) {
            rs.next();
            assertThat(rs.getString(1)).as("someone else's database is left as it was").isEqualTo("1=theirs");
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> slotCount("ledger") == 0);
    }

    /** The replication slots of {@code database} on the shared source: each test counts only its own. */
    private static int slotCount(String database) throws SQLException {
        try (Connection c = source.connect("postgres");
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_replication_slots WHERE database = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
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
}
