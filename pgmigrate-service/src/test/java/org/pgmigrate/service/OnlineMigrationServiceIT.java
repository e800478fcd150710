package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.cdc.ReplicationNames;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * Online migrations through the REST API, against real clusters: the walk-through under a write load (states,
 * live counters, latency, cutover, the comparer's proof, counters equal to the work done), a cutover of one
 * database of two, cancel during change capture, a table without a key, and two migrations of one source database.
 */
@Timeout(600)
class OnlineMigrationServiceIT {

    private static final String TARGET = "online-target";
    private static final String TARGET2 = "online-target2";
    private static PgCluster source;
    private static PgCluster target;
    private static PgCluster target2;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("online-source").start();
        target = PgCluster.builder().version(15).name("online-target").start();
        target2 = PgCluster.builder().version(15).name("online-target2").start();
        source.createDatabase("shop");
        MixedWorkload.createSchema(source, "shop", 300_000);
        for (String db : List.of("crm1", "crm2", "pair", "stopdb", "ddl")) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE contacts (id bigint PRIMARY KEY, name text); "
                    + "INSERT INTO contacts SELECT g, 'name ' || g FROM generate_series(1, 2000) g; "
                    + "CREATE SEQUENCE tickets; SELECT setval('tickets', 41)");
        }
        source.createDatabase("keyless");
        source.execute("keyless", "CREATE TABLE keyed (id int PRIMARY KEY); CREATE TABLE log_lines (line text); "
                + "INSERT INTO log_lines VALUES ('a'), ('b')");
        dataDir = Files.createTempDirectory("pgmigrate-online-it");
        service = ServiceWiring.start(TestStores.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));
        client = new ArmClient(dataDir);
        assertThat(client.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(201);
        assertThat(client.registerServer("flexibleServers", TARGET2, target2.host(), target2.port()).status())
                .isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        for (PgCluster c : new PgCluster[] {source, target, target2}) {
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
    void theOnlineWalkThroughCapturesWritesDuringTheCopyCutsOverAndProvesTheData() throws Exception {
        String path = migrationPath(TARGET, "online1");
        Response created = client.put(path, MigrationBodies.online(source, target, "ValidateAndMigrate", true, "shop"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("properties").path("migrationMode").asText()).isEqualTo("Online");
        assertThat(created.json().path("properties").path("allowReplicaIdentityFull").asText()).isEqualTo("True");
        String slot = ReplicationNames.of(created.json().path("properties").path("migrationId").asText(), "shop").slot();
        Set<String> seen = new LinkedHashSet<>();

        // Writes start as soon as the slot exists: its snapshot is the copy's, so every one of them is a captured
        // change, and the schema restore and the copy that follow take far longer than this poll. (Waiting for a
        // named operation instead raced the one-second progress flush when the copy was quick.)
        AtomicReference<Response> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10)).until(() -> {
            last.set(client.get(path));
            seen.add(last.get().state() + "/" + last.get().subState());
            return slotExists(slot) || !last.get().state().equals("InProgress");
        });
        assertThat(slotExists(slot)).as(() -> "the migration ended before its slot was seen: " + last.get().body())
                .isTrue();
        MixedWorkload load = new MixedWorkload(source, "shop", 42).start();
        try {
            Response patchTooEarly = client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}");
            assertThat(patchTooEarly.status()).as(patchTooEarly.body()).isEqualTo(409);
            assertThat(patchTooEarly.errorMessage()).contains("WaitingForCutoverTrigger");

            Response waiting = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Response r = client.get(path);
                seen.add(r.state() + "/" + r.subState());
                return r;
            }, r -> !r.state().equals("InProgress"));
            long writtenDuringCopy = load.total();
            assertThat(waiting.state()).as(waiting.body()).isEqualTo("WaitingForUserAction");
            assertThat(waiting.subState()).isEqualTo("WaitingForCutoverTrigger");
            assertThat(waiting.db("shop").path("migrationState").asText()).isEqualTo("WaitingForCutoverTrigger");
            assertThat(waiting.db("shop").path("fullLoadCompletedTables").asLong()).isEqualTo(4);
            assertThat(writtenDuringCopy).as("changes written while the base copy ran").isGreaterThan(0);
            assertThat(seen).contains("InProgress/MigratingData");

            long firstApplied = waiting.db("shop").path("appliedChanges").asLong();
            Response later = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> client.get(path), r -> r.db("shop").path("appliedChanges").asLong() > firstApplied + 100
                            && load.total() > writtenDuringCopy + 200);
            assertThat(later.db("shop").path("incomingChanges").asLong()).isGreaterThan(firstApplied);
        } finally {
            load.close();
        }
        assertThat(load.failure.get()).isNull();
        MixedWorkload done = load;
        long expected = done.total();
        Response caughtUp = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(path), r -> r.db("shop").path("appliedChanges").asLong() == expected
                        && r.db("shop").path("latency").asLong() == 0);
        assertThat(caughtUp.db("shop").path("incomingChanges").asLong()).isEqualTo(expected);

        Response triggered = client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}");
        assertThat(triggered.status()).as(triggered.body()).isEqualTo(200);
        assertThat(triggered.state() + "/" + triggered.subState()).isEqualTo("InProgress/CompletingMigration");
        Response succeeded = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(succeeded.state() + "/" + succeeded.subState()).as(succeeded.body()).isEqualTo("Succeeded/Completed");
        assertThat(succeeded.db("shop").path("migrationState").asText()).isEqualTo("Succeeded");
        assertThat(succeeded.db("shop").path("cdcInsertCounter").asLong()).isEqualTo(done.inserts.get());
        assertThat(succeeded.db("shop").path("cdcUpdateCounter").asLong()).isEqualTo(done.updates.get());
        assertThat(succeeded.db("shop").path("cdcDeleteCounter").asLong()).isEqualTo(done.deletes.get());
        assertThat(succeeded.db("shop").path("appliedChanges").asLong()).isEqualTo(expected);
        assertThat(succeeded.db("shop").path("latency").asLong()).isZero();
        assertThat(succeeded.json().path("properties").path("verificationDetails").path("status").asText())
                .isEqualTo("Succeeded");
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
        assertThat(slotExists(slot)).as("the slot is dropped at cutover").isFalse();
        assertThat(publications()).doesNotContain(slot);
    }

    @Test
    void aCutoverOfOneDatabaseLeavesTheOtherReplicatingAndCancelThenDropsItsSlotAndPublication() throws Exception {
        String path = migrationPath(TARGET, "online-two");
        Response created = client.put(path, MigrationBodies.online(source, target, "Migrate", false, "crm1", "crm2"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("properties").path("migrationId").asText();
        awaitSubState(path, "WaitingForCutoverTrigger");
        assertThat(slotExists(ReplicationNames.of(id, "crm1").slot())).isTrue();
        assertThat(slotExists(ReplicationNames.of(id, "crm2").slot())).isTrue();
        source.execute("crm2", "UPDATE contacts SET name = 'renamed' WHERE id = 7");
        // Cut over at once, with these changes not applied yet: the cutover applies everything up to its start.
        for (int i = 1; i <= 300; i++) {
            source.execute("crm1", "INSERT INTO contacts VALUES (" + (5000 + i) + ", 'during cdc')");
        }
        source.execute("crm1", "SELECT nextval('tickets')");
        Response one = client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\", \"dbsToTriggerCutoverOn\": [\"crm1\"]}}");
        assertThat(one.status()).as(one.body()).isEqualTo(200);
        Response back = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.db("crm1").path("migrationState").asText().equals("Succeeded")
                        && r.subState().equals("WaitingForCutoverTrigger"));
        assertThat(back.db("crm2").path("migrationState").asText()).isEqualTo("WaitingForCutoverTrigger");
        assertThat(back.db("crm1").path("cdcInsertCounter").asLong()).isEqualTo(300);
        assertThat(slotExists(ReplicationNames.of(id, "crm1").slot())).isFalse();
        try (Connection s = source.connect("crm1"); Connection t = target.connect("crm1")) {
            assertThat(DatabaseComparer.differences(s, t)).as("rows and the live sequence position").isEmpty();
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.db("crm2").path("appliedChanges").asLong() == 1);

        Response canceled = client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}");
        assertThat(canceled.status()).as(canceled.body()).isEqualTo(200);
        Response ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(ended.state()).as(ended.body()).isEqualTo("Canceled");
        assertThat(ended.db("crm1").path("migrationState").asText()).isEqualTo("Succeeded");
        assertThat(ended.db("crm2").path("migrationState").asText()).isEqualTo("Canceled");
        assertThat(ended.db("crm2").path("message").asText()).contains("does not drop or roll back")
                .contains("slot and publication on the source were dropped");
        assertThat(slots()).noneMatch(s -> s.contains(id.replace('-', '_').substring(0, 8)));
        assertThat(publications()).noneMatch(s -> s.contains(id.replace('-', '_').substring(0, 8)));
        try (Connection t = target.connect("crm2"); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM contacts WHERE id = 7")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the target is left as it is, with what was applied").isEqualTo("renamed");
        }
    }

    @Test
    void aSchemaChangeOnTheSourceDuringChangeCaptureFailsTheMigrationAndDropsTheSlot() throws Exception {
        String path = migrationPath(TARGET, "online-ddl");
        Response created = client.put(path, MigrationBodies.online(source, target, "Migrate", false, "ddl"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String slot = ReplicationNames.of(created.json().path("properties").path("migrationId").asText(), "ddl").slot();
        awaitSubState(path, "WaitingForCutoverTrigger");
        source.execute("ddl", "ALTER TABLE contacts ADD COLUMN email text; INSERT INTO contacts VALUES (9999, 'n', 'e')");

        Response failed = awaitEnd(path);
        assertThat(failed.state() + "/" + failed.subState()).as(failed.body()).isEqualTo("Failed/Completed");
        assertThat(failed.db("ddl").path("migrationState").asText()).isEqualTo("Failed");
        assertThat(failed.db("ddl").path("message").asText()).contains("Change capture stopped").contains("contacts")
                .contains("slot and publication on the source were dropped");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText())
                .startsWith("ddl: Change capture stopped");
        assertThat(slotExists(slot)).isFalse();
        assertThat(publications()).doesNotContain(slot);
    }

    @Test
    void aTableWithoutAKeyFailsTheMigrationBeforeAnythingIsCreated() throws Exception {
        String path = migrationPath(TARGET, "online-keyless");
        Response created = client.put(path, MigrationBodies.online(source, target, "Migrate", false, "keyless"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response failed = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(failed.state()).as(failed.body()).isEqualTo("Failed");
        assertThat(failed.db("keyless").path("message").asText()).contains("public.log_lines")
                .contains("no primary key").contains("allowReplicaIdentityFull").contains("Nothing was created");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText()).contains("log_lines");
        try (Connection t = target.connect("postgres"); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'keyless'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("no target database").isZero();
        }
        String id = created.json().path("properties").path("migrationId").asText();
        assertThat(slotExists(ReplicationNames.of(id, "keyless").slot())).isFalse();
        assertThat(publications()).doesNotContain(ReplicationNames.of(id, "keyless").publication());
    }

    @Test
    void twoOnlineMigrationsOfOneSourceDatabaseDoNotCollide() throws Exception {
        String first = migrationPath(TARGET, "pair-a");
        String second = migrationPath(TARGET2, "pair-b");
        Response a = client.put(first, MigrationBodies.online(source, target, "Migrate", false, "pair"));
        Response b = client.put(second, MigrationBodies.online(source, target2, "Migrate", false, "pair"));
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        assertThat(b.status()).as(b.body()).isEqualTo(201);
        awaitSubState(first, "WaitingForCutoverTrigger");
        awaitSubState(second, "WaitingForCutoverTrigger");
        String slotA = ReplicationNames.of(a.json().path("properties").path("migrationId").asText(), "pair").slot();
        String slotB = ReplicationNames.of(b.json().path("properties").path("migrationId").asText(), "pair").slot();
        assertThat(slotA).isNotEqualTo(slotB);
        assertThat(slots()).contains(slotA, slotB);
        source.execute("pair", "DELETE FROM contacts WHERE id <= 10; UPDATE contacts SET name = 'x' WHERE id = 11");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                client.get(first).db("pair").path("appliedChanges").asLong() == 11
                        && client.get(second).db("pair").path("appliedChanges").asLong() == 11);
        assertThat(client.patch(first, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
        assertThat(awaitEnd(first).state()).isEqualTo("Succeeded");
        assertThat(slots()).contains(slotB).doesNotContain(slotA);
        assertThat(client.patch(second, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
        Response bDone = awaitEnd(second);
        assertThat(bDone.state()).as(bDone.body()).isEqualTo("Succeeded");
        assertThat(bDone.db("pair").path("cdcDeleteCounter").asLong()).isEqualTo(10);
        assertThat(bDone.db("pair").path("cdcUpdateCounter").asLong()).isEqualTo(1);
        for (PgCluster t : List.of(target, target2)) {
            try (Connection s = source.connect("pair"); Connection c = t.connect("pair")) {
                assertThat(DatabaseComparer.differences(s, c)).as(t.toString()).isEmpty();
            }
        }
    }

    @Test
    void aCleanStopDuringChangeCaptureKeepsTheSlotAndTheNextStartResumes() throws Exception {
        String path = migrationPath(TARGET, "online-stop");
        Response created = client.put(path, MigrationBodies.online(source, target, "Migrate", false, "stopdb"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String slot = ReplicationNames.of(created.json().path("properties").path("migrationId").asText(), "stopdb").slot();
        awaitSubState(path, "WaitingForCutoverTrigger");
        source.execute("stopdb", "INSERT INTO contacts VALUES (9001, 'before the stop')");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path).db("stopdb").path("cdcInsertCounter").asLong() == 1);

        service.close();
        assertThat(slotExists(slot)).as("a clean stop keeps the slot").isTrue();
        source.execute("stopdb", "INSERT INTO contacts VALUES (9002, 'while stopped'); DELETE FROM contacts WHERE id = 1");
        service = ServiceWiring.start(TestStores.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));
        client = new ArmClient(dataDir);
        Response resumed = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.db("stopdb").path("appliedChanges").asLong() == 3);
        assertThat(resumed.db("stopdb").path("cdcInsertCounter").asLong()).isEqualTo(2);
        assertThat(resumed.db("stopdb").path("cdcDeleteCounter").asLong()).isEqualTo(1);
        assertThat(client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
        assertThat(awaitEnd(path).state()).isEqualTo("Succeeded");
        try (Connection s = source.connect("stopdb"); Connection t = target.connect("stopdb")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
    }

    private static Response awaitSubState(String path, String subState) {
        Response r = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), x -> x.subState().equals(subState) || !x.json().path("properties")
                        .path("currentStatus").path("state").asText().matches("InProgress|WaitingForUserAction"));
        assertThat(r.subState()).as(r.body()).isEqualTo(subState);
        return r;
    }

    /** Waits for a final state: Succeeded, Failed, Canceled. */
    private static Response awaitEnd(String path) {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.state().matches("Succeeded|Failed|Canceled|ValidationFailed"));
    }

    private static boolean slotExists(String slot) throws SQLException {
        return slots().contains(slot);
    }

    private static List<String> slots() throws SQLException {
        return names("SELECT slot_name FROM pg_replication_slots");
    }

    private static List<String> publications() throws SQLException {
        List<String> all = new ArrayList<>();
        for (String db : List.of("shop", "crm1", "crm2", "pair", "keyless", "stopdb", "ddl")) {
            try (Connection c = source.connect(db); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pubname FROM pg_publication")) {
                while (rs.next()) {
                    all.add(rs.getString(1));
                }
            }
        }
        return all;
    }

    private static List<String> names(String sql) throws SQLException {
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }
}
