package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;
import static org.pgmigrate.service.ArmClient.serverPath;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.service.server.RestartCommandPolicy;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * An online migration from a source with {@code wal_level=replica}: it waits in
 * WaitingForLogicalReplicationSetupRequestOnSourceDB; setup-replication turns logical replication on with ALTER
 * SYSTEM and restarts the source with the server's registered restart command; without one, the message says what
 * to run, and the migration goes on by itself once the source was restarted by hand. The restart command runs only
 * on a service started with --allow-restart-commands.
 */
@Timeout(300)
class LogicalReplicationSetupIT {

    private static final String TARGET = "lr-target";
    private static final String SOURCE = "lr-source";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PgCluster source;
    private static PgCluster target;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("lr-source").walLevel("replica").start();
        target = PgCluster.builder().version(15).name("lr-target").start();
        for (String db : new String[] {"inventory", "ledger"}) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE items (id int PRIMARY KEY, name text); "
                    + "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g");
        }
        dataDir = Files.createTempDirectory("pgmigrate-lr-it");
        startService(RestartCommandPolicy.ALLOWED);
        assertThat(client.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
        ObjectNode server = JSON.createObjectNode();
        server.put("location", "local");
        server.putObject("properties").put("fullyQualifiedDomainName", source.host()).put("port", source.port())
                .put("administratorLogin", source.superuser()).put("restartCommand", restartCommand(source));
        Response registered = client.put(serverPath("servers", SOURCE), server.toString());
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        for (PgCluster c : new PgCluster[] {source, target}) {
            if (c != null) {
                c.close();
            }
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void sourceWithoutLogicalReplication() throws SQLException {
        if (setting("wal_level").equals("logical")) {
            source.alterSystem("wal_level", "replica");
            source.restart();
        }
        assertThat(setting("wal_level")).isEqualTo("replica");
    }

    @Test
    void setupReplicationRestartsTheSourceWithItsRegisteredCommandAndTheMigrationGoesOn() throws Exception {
        String path = migrationPath(TARGET, "lr-with-command");
        Response created = client.put(path, body("/subscriptions/" + ArmClient.SUB + "/resourceGroups/" + ArmClient.RG
                + "/providers/Microsoft.DBforPostgreSQL/servers/" + SOURCE, false, "inventory"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response waiting = awaitSubState(path, "WaitingForLogicalReplicationSetupRequestOnSourceDB");
        assertThat(waiting.state()).isEqualTo("WaitingForUserAction");
        assertThat(waiting.db("inventory").path("message").asText()).contains("wal_level is replica")
                .contains("--setup-replication").contains("registered restart command");
        assertThat(setting("wal_level")).as("nothing changes before the user asks").isEqualTo("replica");

        Response asked = client.patch(path, "{\"properties\": {\"setupLogicalReplicationOnSourceDbIfNeeded\": \"True\"}}");
        assertThat(asked.status()).as(asked.body()).isEqualTo(200);
        assertThat(asked.subState()).isEqualTo("PerformingPreRequisiteSteps");
        awaitSubState(path, "WaitingForCutoverTrigger");
        assertThat(setting("wal_level")).isEqualTo("logical");

        source.execute("inventory", "UPDATE items SET name = 'changed' WHERE id < 5");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path).db("inventory").path("cdcUpdateCounter").asLong() == 4);
        assertThat(client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
        Response done = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        try (Connection s = source.connect("inventory"); Connection t = target.connect("inventory")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
    }

    @Test
    void withoutARestartCommandTheMessageSaysWhatToRunAndTheMigrationGoesOnOnceTheSourceIsRestarted() throws Exception {
        String path = migrationPath(TARGET, "lr-by-hand");
        Response created = client.put(path, body(source.host() + ":" + source.port() + "@" + source.superuser(), true,
                "ledger"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response waiting = awaitSubState(path, "WaitingForLogicalReplicationSetupRequestOnSourceDB");
        String message = waiting.db("ledger").path("message").asText();
        assertThat(message).contains("ALTER SYSTEM SET wal_level = 'logical'").contains("no registered restart command")
                .contains("pg_ctl restart -D '" + setting("data_directory") + "'")
                .contains("goes on by itself");
        assertThat(setting("wal_level")).as("set, but not live before a restart").isEqualTo("replica");

        source.restart();
        Response replicating = awaitSubState(path, "WaitingForCutoverTrigger");
        assertThat(replicating.db("ledger").path("migrationState").asText()).isEqualTo("WaitingForCutoverTrigger");
        assertThat(client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}").status()).isEqualTo(200);
        Response canceled = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(canceled.state()).as(canceled.body()).isEqualTo("Canceled");
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
            rs.next();
            assertThat(rs.getInt(1)).as("cancel dropped the slot").isZero();
        }
    }

    @Test
    void aStoredRestartCommandIsNotRunByAServiceStartedWithoutTheFlagAndTheMessageNamesTheFlag() throws Exception {
        String registered = client.get(serverPath("servers", SOURCE)).json().path("properties").path("restartCommand")
                .asText();
        assertThat(registered).contains("pg_ctl");
        service.close();
        startService(RestartCommandPolicy.REFUSED);
        try {
            Instant started = postmasterStart();
            Response again = client.put(serverPath("servers", SOURCE), "{\"properties\": {\"host\": \"" + source.host()
                    + "\", \"port\": " + source.port() + ", \"restartCommand\": \"echo changed\"}}");
            assertThat(again.status()).isEqualTo(400);
            assertThat(again.errorMessage()).contains("--allow-restart-commands");
            assertThat(client.get(serverPath("servers", SOURCE)).json().path("properties").path("restartCommand").asText())
                    .as("the stored registration is left as it was").isEqualTo(registered);

            String path = migrationPath(TARGET, "lr-not-allowed");
            Response created = client.put(path, body("/subscriptions/" + ArmClient.SUB + "/resourceGroups/"
                    + ArmClient.RG + "/providers/Microsoft.DBforPostgreSQL/servers/" + SOURCE, true, "inventory"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            Response waiting = awaitSubState(path, "WaitingForLogicalReplicationSetupRequestOnSourceDB");
            assertThat(waiting.db("inventory").path("message").asText())
                    .contains("pgmigrate ran ALTER SYSTEM SET wal_level = 'logical'")
                    .contains("the source server's registered restart command was not run, because this pgmigrate "
                            + "service was started without --allow-restart-commands")
                    .contains("pg_ctl restart -D '" + setting("data_directory") + "'")
                    .contains("or start pgmigrate serve with --allow-restart-commands");
            assertThat(postmasterStart()).as("the source was not restarted").isEqualTo(started);
            assertThat(setting("wal_level")).isEqualTo("replica");
            assertThat(client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}").status()).isEqualTo(200);
        } finally {
            source.alterSystem("wal_level", "replica"); // what the refused setup wrote, for the next test
            service.close();
            startService(RestartCommandPolicy.ALLOWED);
        }
    }

    private static void startService(RestartCommandPolicy restartCommands) {
        service = ServiceWiring.start(TestStores.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)).withRestartCommands(restartCommands));
        client = new ArmClient(dataDir);
    }

    private static Instant postmasterStart() throws SQLException {
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.pg_postmaster_start_time()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    /** What a registered server's restart command looks like for a testkit cluster: pg_ctl restart, as postgres. */
    private static String restartCommand(PgCluster cluster) {
        String pgCtl = "/usr/lib/postgresql/" + cluster.majorVersion() + "/bin/pg_ctl -D '" + cluster.dataDir()
                .toAbsolutePath() + "' restart -m fast -w -t 60 -l '" + cluster.logFile().toAbsolutePath()
                + "' -o '-p " + cluster.port() + "'";
        return "root".equals(System.getProperty("user.name")) ? "runuser -u postgres -- " + pgCtl : pgCtl;
    }

    private static String body(String sourceId, boolean setup, String db) {
        return """
                { "properties": {
                    "sourceDbServerResourceId": "%s",
                    "secretParameters": {
                      "adminCredentials": { "sourceServerPassword": "%s", "targetServerPassword": "%s" },
                      "sourceServerUsername": "%s", "targetServerUsername": "%s" },
                    "dbsToMigrate": ["%s"], "migrationMode": "Online",
                    "setupLogicalReplicationOnSourceDbIfNeeded": "%s", "overwriteDbsInTarget": "True" } }"""
                .formatted(sourceId, source.password(), target.password(), source.superuser(), target.superuser(), db,
                        setup ? "True" : "False");
    }

    private static Response awaitSubState(String path, String subState) {
        Response r = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), x -> x.subState().equals(subState)
                        || !x.state().matches("InProgress|WaitingForUserAction"));
        assertThat(r.subState()).as(r.body()).isEqualTo(subState);
        return r;
    }

    private static String setting(String name) throws SQLException {
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
