package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.service.worker.ReplicationLimits;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * What pauses an online migration through the service, instead of failing it and dropping its slot: a store that
 * another process holds locked or whose PostgreSQL server is down (writes wait; the API answers 503 meanwhile), and
 * a target that stays down past the reconnect window (the database's message says so while it lasts). Both end by
 * themselves, and the cutover then succeeds with the target equal to the source.
 */
@Timeout(600)
class PausedReplicationIT {

    @RegisterExtension
    static final ClusterPair CLUSTERS = ClusterPair.of(15, 15);
    private static final String TARGET = "paused-target";
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("pgmigrate-paused-it");
        service = ServiceWiring.start(TestStores.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)).withStoreBusyWindow(Duration.ofSeconds(2))
                .withReplicationLimits(ReplicationLimits.DEFAULT.withReconnectWindow(Duration.ofSeconds(3))));
        client = new ArmClient(dataDir);
        assertThat(client.registerServer("flexibleServers", TARGET, CLUSTERS.target().host(), CLUSTERS.target().port())
                .status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aStoreUnavailableForAWhilePausesTheMigrationWithoutFailingIt() throws Exception {
        String path = startOnline("busystore");
        // SQLite: another process holds the file locked; PostgreSQL: the store's server is down
        try (AutoCloseable outage = TestStores.outage(new DataDirectory(dataDir))) {
            CLUSTERS.source().execute("busystore", "INSERT INTO items SELECT g, 'while the store is unavailable'"
                    + " FROM generate_series(1001, 1200) g");
            Response refused = client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}");
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("ServiceUnavailable");
            assertThat(refused.errorMessage()).contains("is unavailable").contains("Retry in a moment");
        }
        Response caughtUp = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(path), r -> r.db("busystore").path("appliedChanges").asLong() == 200);
        assertThat(caughtUp.state()).as(caughtUp.body()).isEqualTo("WaitingForUserAction");
        cutOverAndCompare(path, "busystore");
    }

    @Test
    void aTargetDownPastTheReconnectWindowShowsThePauseAndResumes() throws Exception {
        String path = startOnline("targetdown");
        CLUSTERS.target().stop();
        try {
            CLUSTERS.source().execute("targetdown", "INSERT INTO items SELECT g, 'while the target is down'"
                    + " FROM generate_series(1001, 1100) g");
            Response paused = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> client.get(path), r -> r.db("targetdown").path("message").asText()
                            .startsWith("Paused: lost the connection to the target server"));
            assertThat(paused.db("targetdown").path("migrationState").asText()).isEqualTo("WaitingForCutoverTrigger");
            assertThat(paused.db("targetdown").path("message").asText()).contains("Nothing is lost");
        } finally {
            CLUSTERS.target().startAgain();
        }
        Response resumed = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(path), r -> r.db("targetdown").path("appliedChanges").asLong() == 100);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> !client.get(path).db("targetdown").path("message").asText().startsWith("Paused"));
        assertThat(resumed.state()).isEqualTo("WaitingForUserAction");
        cutOverAndCompare(path, "targetdown");
    }

    private static String startOnline(String db) {
        PgCluster source = CLUSTERS.source();
        source.createDatabase(db);
        source.execute(db, "CREATE TABLE items (id int PRIMARY KEY, v text);"
                + " INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        String path = migrationPath(TARGET, "paused-" + db);
        assertThat(client.put(path, MigrationBodies.online(source, CLUSTERS.target(), "Migrate", false, db)).status())
                .isEqualTo(201);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.subState().equals("WaitingForCutoverTrigger"));
        return path;
    }

    private static void cutOverAndCompare(String path, String db) throws Exception {
        assertThat(client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
        Response done = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        try (Connection s = CLUSTERS.source().connect(db); Connection t = CLUSTERS.target().connect(db)) {
            DatabaseComparer.assertEqual(s, t);
        }
        try (Connection c = CLUSTERS.source().connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
