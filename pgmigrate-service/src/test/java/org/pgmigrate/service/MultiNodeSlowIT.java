package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;
import static org.pgmigrate.service.MultiNodeIT.joiningDataDir;
import static org.pgmigrate.service.MultiNodeIT.leases;
import static org.pgmigrate.service.MultiNodeIT.privateDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.service.ServiceProcesses.Node;
import org.pgmigrate.service.store.postgres.StoreLocation;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * Several nodes on one PostgreSQL store, the slow cases: a node paused (SIGSTOP) past its lease while it copies, whose
 * migration another node takes over, can never write again once it runs on (SIGCONT); and ten offline migrations
 * spread across three nodes all succeed.
 */
@Tag("slow")
@Timeout(600)
class MultiNodeSlowIT {

    private static final String TARGET = "multi-slow-target";
    private static PgCluster source;
    private static PgCluster target;
    private static PgCluster storeCluster;
    private ServiceProcesses nodes;
    private Path root;

    @BeforeAll
    static void clusters() {
        source = PgCluster.builder().version(15).name("multi-slow-source").start();
        target = PgCluster.builder().version(15).name("multi-slow-target").start();
        storeCluster = PgCluster.builder().version(15).name("multi-slow-store").start();
        source.createDatabase("big");
        source.execute("big", "CREATE TABLE entries (id bigint PRIMARY KEY, payload text); "
                + "INSERT INTO entries SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 1500000) g; "
                + "CREATE TABLE notes (id int PRIMARY KEY, line text); "
                + "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 1000) g");
        for (int i = 1; i <= 10; i++) {
            source.createDatabase("small" + i);
            source.execute("small" + i, "CREATE TABLE t (id int PRIMARY KEY, v text); "
                    + "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, " + (1000 * i) + ") g; "
                    + "CREATE SEQUENCE s; SELECT setval('s', " + i + ")");
        }
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

    @Test
    void aNodePausedPastItsLeaseNeverWritesAgainAndTheMigrationStaysConsistent() throws Exception {
        root = Files.createTempDirectory("pgmigrate-multi-node-slow-it");
        nodes = new ServiceProcesses(root);
        StoreLocation store = MultiNodeIT.store(storeCluster, "store_sigstop");
        Path dirA = privateDirectory(root.resolve("a"));
        Node first = nodes.startNode(dirA, "node-a", store, 2);
        Node second = nodes.startNode(joiningDataDir(root, "b", dirA), "node-b", store, 2);
        ArmClient client = first.client();
        assertThat(client.registerServer("flexibleServers", TARGET, target.host(), target.port()).status())
                .isEqualTo(201);
        String path = migrationPath(TARGET, "paused-node");
        Response created = client.put(path, MigrationBodies.seedShape(source, target, source.password(), true, "big"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String migrationId = created.json().path("properties").path("migrationId").asText();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> client.get(path), r -> r.db("big").path("copiedRows").asLong() > 0);
        // whichever node claimed it is paused; the other takes it over
        Node a = owner(migrationId).equals("node-a") ? first : second;
        Node b = a == first ? second : first;
        ArmClient clientA = a.client();
        ArmClient clientB = b.client();
        long tokenA = token(migrationId);

        ServiceProcesses.signal(a.process(), "STOP"); // a GC pause that outlasts the lease
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> leases(clientB).contains(migrationId));
            long tokenB = token(migrationId);
            assertThat(tokenB).as("the claim raised the fencing token").isGreaterThan(tokenA);
            assertThat(owner(migrationId)).isEqualTo(b.name());
        } finally {
            ServiceProcesses.signal(a.process(), "CONT");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> a.log().contains("lost its lease (fencing token " + tokenA + ")"));
        assertThat(leases(clientA)).as("the paused node holds nothing").isEmpty();
        assertThat(owner(migrationId)).isEqualTo(b.name());

        Response done = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> clientB.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        assertThat(done.db("big").path("migrationState").asText()).isEqualTo("Succeeded");
        try (Connection s = source.connect("big"); Connection t = target.connect("big")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
        // node-a wrote nothing after the takeover: every write it tried was refused, none reached the store
        String logA = a.log();
        assertThat(logA).doesNotContain("Migration paused-node ended").doesNotContain("Migration failed")
                .doesNotContain("marked Failed");
        assertThat(b.log()).contains("Migration paused-node ended Succeeded/Completed");
    }

    @Test
    void tenOfflineMigrationsSpreadAcrossThreeNodesAllSucceed() throws Exception {
        root = Files.createTempDirectory("pgmigrate-multi-node-slow-it");
        nodes = new ServiceProcesses(root);
        StoreLocation store = MultiNodeIT.store(storeCluster, "store_ten");
        Path dirA = privateDirectory(root.resolve("a"));
        List<Node> all = new ArrayList<>();
        all.add(nodes.startNode(dirA, "node-a", store, 2));
        all.add(nodes.startNode(joiningDataDir(root, "b", dirA), "node-b", store, 2));
        all.add(nodes.startNode(joiningDataDir(root, "c", dirA), "node-c", store, 2));
        List<ArmClient> clients = all.stream().map(Node::client).toList();
        assertThat(clients.get(0).registerServer("flexibleServers", TARGET, target.host(), target.port()).status())
                .isEqualTo(201);
        for (int i = 1; i <= 10; i++) {
            Response r = clients.get(i % 3).put(migrationPath(TARGET, "offline-" + i),
                    MigrationBodies.seedShape(source, target, source.password(), true, "small" + i));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        for (int i = 1; i <= 10; i++) {
            String path = migrationPath(TARGET, "offline-" + i);
            ArmClient reader = clients.get((i + 1) % 3);
            Response done = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> reader.get(path), r -> !r.state().equals("InProgress")
                            && !r.state().equals("WaitingForUserAction"));
            assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
            try (Connection s = source.connect("small" + i); Connection t = target.connect("small" + i)) {
                assertThat(DatabaseComparer.differences(s, t)).as("small" + i).isEmpty();
            }
        }
        int working = 0;
        for (ArmClient c : clients) {
            if (rowsCopied(c.raw("GET", "/metrics", null).body()) > 0) {
                working++;
            }
        }
        assertThat(working).as("nodes that copied rows (each runs at most 2 migrations at once)")
                .isGreaterThanOrEqualTo(2);
    }

    private static double rowsCopied(String metrics) {
        Matcher m = Pattern.compile("(?m)^pgmigrate_rows_copied_total\\{node=\"[^\"]+\"\\} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static long token(String migrationId) throws Exception {
        return (Long) column(migrationId, "lease_token");
    }

    private static String owner(String migrationId) throws Exception {
        return (String) column(migrationId, "lease_owner");
    }

    private static Object column(String migrationId, String column) throws Exception {
        try (Connection c = storeCluster.connect("store_sigstop"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + column + " FROM pgmigrate.migrations WHERE migration_id = '"
                     + migrationId.replace("'", "''") + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getObject(1);
        }
    }
}
