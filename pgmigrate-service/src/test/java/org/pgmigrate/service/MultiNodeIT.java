package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.service.ServiceProcesses.Node;
import org.pgmigrate.service.store.postgres.StoreLocation;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * Three service nodes (child JVMs, each with a data dir of its own holding the same token and secrets key) on one
 * PostgreSQL store are one service. The node that runs an online migration under a write load is killed with
 * SIGKILL; another node takes the migration over within 30 s (its lease expires, the other nodes claim it) and
 * resumes replication from the slot, without the dead node's spool; the cutover is PATCHed to the third node, which
 * does not run the migration; the target ends equal to the source, and no slot is left.
 */
@Timeout(300)
class MultiNodeIT {

    private static final String TARGET = "multi-target";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PgCluster source;
    private static PgCluster target;
    private static PgCluster storeCluster;
    private ServiceProcesses nodes;
    private Path root;

    @BeforeAll
    static void clusters() {
        source = PgCluster.builder().version(15).name("multi-source").start();
        target = PgCluster.builder().version(15).name("multi-target").start();
        storeCluster = PgCluster.builder().version(15).name("multi-store").start();
        source.createDatabase("orders");
        MixedWorkload.createSchema(source, "orders", 20_000);
    }

    @AfterAll
    static void stopClusters() {
        for (PgCluster c : new PgCluster[] {source, target, storeCluster}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (nodes != null) {
            nodes.close();
        }
        if (root != null && System.getenv("PGMIGRATE_KEEP_TEST_DIRS") == null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static StoreLocation store(PgCluster cluster, String database) {
        cluster.createDatabase(database);
        return StoreLocation.parse("postgresql://" + cluster.superuser() + "@" + cluster.host() + ":" + cluster.port()
                + "/" + database).withPassword(cluster.password());
    }

    /**
     * A node joining the service: its own data dir holding the first node's token and secrets key (what every node
     * must share: clients send one token, and stored passwords open with one key).
     */
    static Path joiningDataDir(Path root, String name, Path first) throws IOException {
        Path dir = privateDirectory(root.resolve(name));
        for (String file : new String[] {"token", "secrets.key"}) {
            Files.copy(first.resolve(file), dir.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return dir;
    }

    static Path privateDirectory(Path dir) throws IOException {
        return Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }

    static JsonNode health(ArmClient client) throws IOException {
        Response r = client.raw("GET", "/healthz", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static List<String> leases(ArmClient client) throws IOException {
        return health(client).path("leases").findValuesAsText("migrationId");
    }

    @Test
    void aKilledNodesOnlineMigrationIsTakenOverAndCutOverThroughAnotherNode() throws Exception {
        root = Files.createTempDirectory("pgmigrate-multi-node-it");
        nodes = new ServiceProcesses(root);
        StoreLocation store = store(storeCluster, "pgmigrate_store");
        Path dirA = privateDirectory(root.resolve("a"));
        Node a = nodes.startNode(dirA, "node-a", store, 2);
        ArmClient clientA = a.client();
        assertThat(clientA.registerServer("flexibleServers", TARGET, target.host(), target.port()).status())
                .isEqualTo(201);
        String path = migrationPath(TARGET, "multi-online");
        Response created = clientA.put(path, MigrationBodies.online(source, target, "Migrate", true, "orders"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String migrationId = created.json().path("properties").path("migrationId").asText();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> leases(clientA).contains(migrationId));

        Node b = nodes.startNode(joiningDataDir(root, "b", dirA), "node-b", store, 2);
        Node c = nodes.startNode(joiningDataDir(root, "c", dirA), "node-c", store, 2);
        ArmClient clientB = b.client();
        ArmClient clientC = c.client();
        assertThat(clientB.get(path).status()).as("any node answers for any migration").isEqualTo(200);
        JsonNode healthB = health(clientB);
        assertThat(healthB.path("node").asText()).isEqualTo("node-b");
        assertThat(healthB.path("storeLocation").asText()).isEqualTo(store.describe())
                .doesNotContain(storeCluster.password());
        assertThat(clientC.raw("GET", "/metrics", null).body()).contains("node=\"node-c\"");

        MixedWorkload load = new MixedWorkload(source, "orders", 11).start();
        long killedAt;
        Node heir;
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> clientB.get(path), r -> r.subState().equals("WaitingForCutoverTrigger")
                            && r.db("orders").path("appliedChanges").asLong() > 200);
            ServiceProcesses.kill(a.process());
            killedAt = System.nanoTime();
            heir = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> leases(clientB).contains(migrationId) ? b : leases(clientC).contains(migrationId) ? c
                            : null, n -> n != null);
            long appliedAtTakeOver = clientB.get(path).db("orders").path("appliedChanges").asLong();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> clientB.get(path).db("orders").path("appliedChanges").asLong() > appliedAtTakeOver);
        } finally {
            load.close();
        }
        long takeOverSeconds = Duration.ofNanos(System.nanoTime() - killedAt).toSeconds();
        assertThat(load.failure.get()).isNull();
        Node other = heir == b ? c : b;
        ArmClient heirClient = heir.client();
        ArmClient otherClient = other.client();
        Response caughtUp = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> otherClient.get(path), r -> r.db("orders").path("latency").asLong() == 0
                        && r.subState().equals("WaitingForCutoverTrigger"));
        assertThat(caughtUp.db("orders").path("migrationState").asText()).isEqualTo("WaitingForCutoverTrigger");
        assertThat(leases(otherClient)).as("the node the cutover goes to does not run the migration")
                .doesNotContain(migrationId);

        Response trigger = otherClient.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}");
        assertThat(trigger.status()).as(trigger.body()).isEqualTo(200);
        Response done = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> otherClient.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        try (Connection s = source.connect("orders"); Connection t = target.connect("orders")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
        assertThat(slotCount()).isZero();
        assertThat(heir.log()).contains("change capture resumed from slot")
                .doesNotContain(storeCluster.password()).doesNotContain(source.password());
        assertThat(heirClient.get(path).state()).isEqualTo("Succeeded");
        System.out.printf("MultiNodeIT: %s took the migration over; %d s from the kill to its first applied change%n",
                heir.name(), takeOverSeconds);
    }

    private static long slotCount() throws SQLException {
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
