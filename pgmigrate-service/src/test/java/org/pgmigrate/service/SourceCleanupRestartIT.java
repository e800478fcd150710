package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.cdc.ReplicationNames;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * A replication slot is never forgotten across a stop of the service: the service runs as a child JVM, and is
 * killed (SIGKILL) or stopped (SIGTERM) right after a cancel. Whatever the cancel could not drop (the source was
 * down) is dropped by the next start; a cancel cut short by the stop is finished by it.
 */
@Timeout(600)
class SourceCleanupRestartIT {

    private static final String TARGET = "cleanup-restart-target";
    private static PgCluster source;
    private static PgCluster target;
    private ServiceProcesses nodes;
    private Path dataDir;

    @BeforeAll
    static void clusters() {
        source = PgCluster.builder().version(15).name("cleanup-restart-source").start();
        target = PgCluster.builder().version(15).name("cleanup-restart-target").start();
        for (String db : List.of("killed", "stopped")) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE items (id int PRIMARY KEY, name text);"
                    + " INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g;"
                    + " CREATE TABLE audit (at int, what text)");
        }
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
    void aSlotTheCancelCouldNotDropIsDroppedByTheNextStartAfterAKill() throws Exception {
        dataDir = Files.createTempDirectory("pgmigrate-cleanup-restart-it");
        ArmClient first = new ArmClient(startService());
        assertThat(first.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
        String path = migrationPath(TARGET, "cancel-source-down-kill");
        Response created = first.put(path, MigrationBodies.online(source, target, "Migrate", true, "killed"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String slot = ReplicationNames.of(created.json().path("properties").path("migrationId").asText(), "killed").slot();
        awaitSubState(first, path, "WaitingForCutoverTrigger");

        source.stop();
        try {
            assertThat(first.patch(path, "{\"properties\": {\"cancel\": \"True\"}}").status()).isEqualTo(200);
            Response canceled = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> first.get(path), r -> r.state().equals("Canceled"));
            assertThat(canceled.db("killed").path("message").asText()).contains("pg_drop_replication_slot('" + slot
                    + "')");
            nodes.killLatest();
        } finally {
            source.startAgain();
        }
        assertThat(slots()).as("nobody dropped it while the service was down").contains(slot);
        assertThat(identity("killed")).isEqualTo("f");

        ArmClient second = new ArmClient(startService());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !slots().contains(slot));
        // The undo drops the slot first and gives tables their identity back after it.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> identity("killed").equals("d"));
        Response after = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> second.get(path), r -> !r.db("killed").path("message").asText().contains("could not reach"));
        assertThat(after.db("killed").path("message").asText())
                .contains("Source cleanup: The replication slot and publication on the source were dropped (" + slot + ")");
    }

    @Test
    void aCancelFollowedAtOnceByASigtermLeavesNoSlotAfterTheNextStart() throws Exception {
        dataDir = Files.createTempDirectory("pgmigrate-cleanup-restart-it");
        ArmClient first = new ArmClient(startService());
        assertThat(first.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
        String path = migrationPath(TARGET, "cancel-then-sigterm");
        Response created = first.put(path, MigrationBodies.online(source, target, "Migrate", true, "stopped"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String slot = ReplicationNames.of(created.json().path("properties").path("migrationId").asText(), "stopped")
                .slot();
        awaitSubState(first, path, "WaitingForCutoverTrigger");
        assertThat(slots()).contains(slot);

        assertThat(first.patch(path, "{\"properties\": {\"cancel\": \"True\"}}").status()).isEqualTo(200);
        nodes.stopLatest(); // SIGTERM, at once

        ArmClient second = new ArmClient(startService());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !slots().contains(slot));
        Response ended = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> second.get(path), r -> r.state().equals("Canceled"));
        assertThat(ended.db("stopped").path("message").asText()).doesNotContain("could not");
        assertThat(identity("stopped")).isEqualTo("d");
        Response health = second.raw("GET", "/healthz", null);
        assertThat(health.json().path("pendingSourceCleanups").size()).as(health.body()).isZero();
    }

    private static void awaitSubState(ArmClient client, String path, String subState) {
        Response r = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), x -> x.subState().equals(subState)
                        || !x.state().matches("InProgress|WaitingForUserAction"));
        assertThat(r.subState()).as(r.body()).isEqualTo(subState);
    }

    private static List<String> slots() throws SQLException {
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT slot_name FROM pg_replication_slots")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }

    private static String identity(String db) throws SQLException {
        try (Connection c = source.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT relreplident::text FROM pg_class WHERE relname = 'audit'")) {
            rs.next();
            return rs.getString(1);
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
