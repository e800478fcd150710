package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.cdc.ReplicationNames;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.postgresql.PGConnection;

/**
 * What online migrations change on their sources is recorded and undone, through the REST API against real clusters:
 * slot creation that waits for an open transaction names it in the database's message; replica identities set to
 * FULL are restored at cutover; a cleanup that cannot reach the source says which slot remains and the SQL to drop
 * it, shows in /healthz, and is retried until the source is back, also after the migration was deleted; and the
 * settings "setup replication" changed go back when the migration is canceled.
 */
@Timeout(600)
class SourceCleanupIT {

    private static final String TARGET = "cleanup-target";
    private static PgCluster source;
    private static PgCluster replicaSource;
    private static PgCluster target;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("cleanup-source").start();
        replicaSource = PgCluster.builder().version(15).name("cleanup-replica-source").walLevel("replica").start();
        target = PgCluster.builder().version(15).name("cleanup-target").start();
        for (String db : List.of("waiting", "audited", "downcancel", "downdelete")) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE items (id int PRIMARY KEY, name text);"
                    + " INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;"
                    + " CREATE TABLE audit (at int, what text); INSERT INTO audit VALUES (1, 'created')");
        }
        replicaSource.createDatabase("settings");
        replicaSource.execute("settings", "CREATE TABLE items (id int PRIMARY KEY)");
        dataDir = Files.createTempDirectory("pgmigrate-cleanup-it");
        service = ServiceWiring.start(TestStores.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));
        client = new ArmClient(dataDir);
        assertThat(client.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        for (PgCluster c : new PgCluster[] {source, replicaSource, target}) {
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

    @Test
    void slotCreationWaitingForAnOpenTransactionNamesItAndGoesOnOnceItCommits() throws Exception {
        String path = migrationPath(TARGET, "waits-for-a-transaction");
        int pid;
        try (Connection open = source.connect("waiting")) {
            open.setClientInfo("ApplicationName", "forgotten-session");
            open.setAutoCommit(false);
            try (Statement s = open.createStatement()) {
                s.execute("UPDATE items SET name = 'held' WHERE id = 1");
            }
            pid = open.unwrap(PGConnection.class).getBackendPID();
            Response created = client.put(path, MigrationBodies.online(source, target, "Migrate", true, "waiting"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);

            Response named = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> client.get(path), r -> r.db("waiting").path("message").asText()
                            .contains("pid " + pid + " "));
            String message = named.db("waiting").path("message").asText();
            assertThat(message).contains("Creating replication slot").contains("waits for a transaction")
                    .contains("user " + source.superuser()).contains("application_name 'forgotten-session'")
                    .contains("idle in transaction since").contains("UPDATE items SET name = 'held' WHERE id = 1")
                    .contains("COMMIT or ROLLBACK in that session")
                    .contains("SELECT pg_catalog.pg_terminate_backend(" + pid + ");");
            assertThat(named.state()).isEqualTo("InProgress");
            open.commit();
        }
        Response replicating = awaitSubState(path, "WaitingForCutoverTrigger");
        assertThat(replicating.db("waiting").path("message").asText()).doesNotContain("pid " + pid);
        assertThat(client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}").status()).isEqualTo(200);
        Response canceled = awaitEnd(path);
        assertThat(canceled.state()).as(canceled.body()).isEqualTo("Canceled");
        assertThat(canceled.db("waiting").path("message").asText()).contains("Source cleanup: The replication slot"
                + " and publication on the source were dropped").contains("public.audit (DEFAULT)");
        assertThat(identity(source, "waiting", "audit")).as("FULL undone at cancel").isEqualTo("d");
    }

    @Test
    void cutoverRestoresTheReplicaIdentityPgmigrateSetToFull() throws Exception {
        String path = migrationPath(TARGET, "restores-identity");
        assertThat(client.put(path, MigrationBodies.online(source, target, "Migrate", true, "audited")).status())
                .isEqualTo(201);
        awaitSubState(path, "WaitingForCutoverTrigger");
        assertThat(identity(source, "audited", "audit")).isEqualTo("f");
        source.execute("audited", "UPDATE audit SET what = 'changed'");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path).db("audited").path("cdcUpdateCounter").asLong() == 1);
        assertThat(client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        assertThat(identity(source, "audited", "audit")).as("the source no longer writes whole old rows").isEqualTo("d");
        assertThat(identity(target, "audited", "audit")).as("nor does the target keep it").isEqualTo("d");
        assertThat(done.db("audited").path("message").asText()).contains("Source cleanup:")
                .contains("the replica identity pgmigrate had set to FULL was restored on 1 table: public.audit"
                        + " (DEFAULT)");
        assertThat(pendingCleanups()).isEmpty();
    }

    @Test
    void aCleanupWhileTheSourceIsDownNamesTheSlotAndItsSqlAndIsRetriedUntilTheSourceIsBack() throws Exception {
        String path = migrationPath(TARGET, "cleanup-source-down");
        Response created = client.put(path, MigrationBodies.online(source, target, "Migrate", true, "downcancel"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String slot = ReplicationNames.of(created.json().path("properties").path("migrationId").asText(), "downcancel")
                .slot();
        awaitSubState(path, "WaitingForCutoverTrigger");
        assertThat(slots()).contains(slot);

        source.stop();
        try {
            assertThat(client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}").status()).isEqualTo(200);
            Response canceled = awaitEnd(path);
            assertThat(canceled.state()).as(canceled.body()).isEqualTo("Canceled");
            String message = canceled.db("downcancel").path("message").asText();
            assertThat(message).contains("does not drop or roll back").contains("Source cleanup:")
                    .contains("could not reach it")
                    .contains("replication slot " + slot + " still holds the source's WAL")
                    .contains("SELECT pg_catalog.pg_drop_replication_slot('" + slot + "'); in database downcancel on "
                            + source.host() + ":" + source.port())
                    .contains("DROP PUBLICATION IF EXISTS \"" + slot + "\";")
                    .contains("ALTER TABLE \"public\".\"audit\" REPLICA IDENTITY DEFAULT;")
                    .contains("pgmigrate retries every");
            assertThat(pendingCleanups()).anySatisfy(p -> {
                assertThat(p.path("database").asText()).isEqualTo("downcancel");
                assertThat(p.path("replicationSlot").asText()).isEqualTo(slot);
                assertThat(p.path("source").asText()).isEqualTo(source.host() + ":" + source.port());
                assertThat(p.path("problem").asText()).contains("pg_drop_replication_slot");
            });
        } finally {
            source.startAgain();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !slots().contains(slot));
        // The undo drops the slot first and gives tables their identity back after it.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> identity(source, "downcancel", "audit").equals("d"));
        Response after = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(path), r -> !r.db("downcancel").path("message").asText()
                        .contains("could not reach"));
        assertThat(after.db("downcancel").path("message").asText()).contains("does not drop or roll back")
                .contains("Source cleanup: The replication slot and publication on the source were dropped (" + slot + ")")
                .contains("public.audit (DEFAULT)");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> pendingCleanups().isEmpty());
    }

    @Test
    void deletingAMigrationWhoseSlotCouldNotBeDroppedKeepsTheRecordAndTheSlotIsDroppedLater() throws Exception {
        String path = migrationPath(TARGET, "cleanup-after-delete");
        Response created = client.put(path, MigrationBodies.online(source, target, "Migrate", true, "downdelete"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("properties").path("migrationId").asText();
        String slot = ReplicationNames.of(id, "downdelete").slot();
        awaitSubState(path, "WaitingForCutoverTrigger");

        source.stop();
        try {
            assertThat(client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}").status()).isEqualTo(200);
            assertThat(awaitEnd(path).state()).isEqualTo("Canceled");
            // api-version 2024-08-01: Migrations_Delete, which removes the record (2025-08-01 only cancels)
            Response deleted = new ArmClient(dataDir).withApiVersion("2024-08-01").delete(path);
            assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
            assertThat(client.get(path).status()).isEqualTo(404);
            assertThat(pendingCleanups()).as("DELETE does not forget the slot").anySatisfy(p -> {
                assertThat(p.path("migrationId").asText()).isEqualTo(id);
                assertThat(p.path("migration").asText()).endsWith("/migrations/cleanup-after-delete");
                assertThat(p.path("replicationSlot").asText()).isEqualTo(slot);
            });
        } finally {
            source.startAgain();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> !slots().contains(slot));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> !publications("downdelete").contains(slot));
        // The undo drops the slot first and gives tables their identity back after it.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> identity(source, "downdelete", "audit").equals("d"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> pendingCleanups().stream().noneMatch(p -> p.path("migrationId").asText().equals(id)));
    }

    @Test
    void theSettingsSetupReplicationChangedGoBackWhenTheMigrationIsCanceled() throws Exception {
        String path = migrationPath(TARGET, "settings-undone");
        Response created = client.put(path, """
                { "properties": {
                    "sourceDbServerResourceId": "%s:%d@%s",
                    "secretParameters": {
                      "adminCredentials": { "sourceServerPassword": "%s", "targetServerPassword": "%s" },
                      "sourceServerUsername": "%s", "targetServerUsername": "%s" },
                    "dbsToMigrate": ["settings"], "migrationMode": "Online",
                    "setupLogicalReplicationOnSourceDbIfNeeded": "True", "overwriteDbsInTarget": "True" } }"""
                .formatted(replicaSource.host(), replicaSource.port(), replicaSource.superuser(),
                        replicaSource.password(), target.password(), replicaSource.superuser(), target.superuser()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response waiting = awaitSubState(path, "WaitingForLogicalReplicationSetupRequestOnSourceDB");
        assertThat(waiting.db("settings").path("message").asText()).contains("ALTER SYSTEM SET wal_level = 'logical'");
        assertThat(autoConf(replicaSource, "wal_level")).isEqualTo("logical");

        assertThat(client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> autoConf(replicaSource, "wal_level") == null);
        Response canceled = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.db("settings").path("message").asText()
                        .contains("Source settings:"));
        assertThat(canceled.state()).isEqualTo("Canceled");
        assertThat(canceled.db("settings").path("message").asText()).contains("ALTER SYSTEM RESET wal_level was run on"
                + " the source server " + replicaSource.host() + ":" + replicaSource.port()
                + " (pgmigrate had set it to 'logical'), before pgmigrate's value ever took effect");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> pendingCleanups().isEmpty());
    }

    private static Response awaitSubState(String path, String subState) {
        Response r = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), x -> x.subState().equals(subState)
                        || !x.state().matches("InProgress|WaitingForUserAction"));
        assertThat(r.subState()).as(r.body()).isEqualTo(subState);
        return r;
    }

    private static Response awaitEnd(String path) {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.state().matches("Succeeded|Failed|Canceled|ValidationFailed"));
    }

    private static List<JsonNode> pendingCleanups() {
        Response health = client.raw("GET", "/healthz", null);
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        List<JsonNode> all = new ArrayList<>();
        health.json().path("pendingSourceCleanups").forEach(all::add);
        return all;
    }

    private static List<String> slots() throws SQLException {
        return strings(source, "postgres", "SELECT slot_name FROM pg_replication_slots");
    }

    private static List<String> publications(String db) throws SQLException {
        return strings(source, db, "SELECT pubname FROM pg_publication");
    }

    private static String identity(PgCluster cluster, String db, String table) throws SQLException {
        return strings(cluster, db, "SELECT relreplident::text FROM pg_class WHERE relname = '" + table + "'").get(0);
    }

    private static String autoConf(PgCluster cluster, String name) throws SQLException {
        List<String> values = strings(cluster, "postgres", "SELECT setting FROM pg_file_settings WHERE name = '" + name
                + "' AND sourcefile LIKE '%postgresql.auto.conf' ORDER BY seqno DESC LIMIT 1");
        return values.isEmpty() ? null : values.get(0);
    }

    private static List<String> strings(PgCluster cluster, String db, String sql) throws SQLException {
        try (Connection c = cluster.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
