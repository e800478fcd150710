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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * Premigration validation ({@code migrationOption}) and post-copy verification ({@code verificationDetails}) through
 * the REST API, on a PostgreSQL 15 source and a 17 target (17 dropped the old_snapshot extension, so a source that
 * uses it has a real missing extension).
 */
@Timeout(300)
class ValidationIT {

    @RegisterExtension
    static final ClusterPair CLUSTERS = ClusterPair.of(
            PgCluster.builder().version(15).name("validate-source"), PgCluster.builder().version(17).name("validate-target"));

    private static final String TARGET = "validate-target";
    private static final String PLAIN_USER = "no_createdb";
    private static final String PLAIN_PASSWORD = "plain-secret-1";
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        PgCluster source = CLUSTERS.source();
        for (String db : new String[] {"clean", "legacy", "nocreate", "existing", "plain", "audited", "wrongpw", "slowcheck"}) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE customers (id int PRIMARY KEY, name text);"
                    + " INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 500) g");
        }
        source.execute("legacy", "CREATE EXTENSION old_snapshot");
        source.execute("audited", "CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers, amount numeric);"
                + " INSERT INTO orders SELECT g, 1 + g % 500, g * 1.5 FROM generate_series(1, 20000) g;"
                + " SELECT lo_from_bytea(0, '\\x0102')");
        CLUSTERS.target().execute("postgres", "CREATE ROLE " + PLAIN_USER + " LOGIN PASSWORD '" + PLAIN_PASSWORD + "'");
        CLUSTERS.target().createDatabase("existing");
        CLUSTERS.target().execute("existing", "CREATE TABLE stale (x int)");
        dataDir = Files.createTempDirectory("pgmigrate-validation-it");
        service = ServiceWiring.start(TestStores.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));
        client = new ArmClient(dataDir);
        assertThat(client.registerServer("flexibleServers", TARGET, CLUSTERS.target().host(), CLUSTERS.target().port())
                .status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        deleteTree(dataDir);
    }

    @Test
    void validateOnlyReportsEveryCheckInTheSpecsShapeAndMovesNoData() throws Exception {
        String path = migrationPath(TARGET, "validate-clean");
        Response created = client.put(path, body("Validate", false, "clean"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("properties").path("migrationOption").asText()).isEqualTo("Validate");

        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        assertThat(done.subState()).isEqualTo("Completed");
        assertThat(done.json().path("properties").path("currentStatus").path("error").asText()).isEmpty();
        assertThat(done.json().path("properties").path("currentStatus").path("currentSubStateDetails").path("dbDetails")
                .size()).as("nothing was migrated").isZero();
        assertThat(done.json().path("properties").has("verificationDetails")).isFalse();
        JsonNode v = validation(done);
        assertThat(v.path("status").asText()).isEqualTo("Succeeded");
        Instant started = Instant.parse(v.path("validationStartTimeInUtc").asText());
        assertThat(Instant.parse(v.path("validationEndTimeInUtc").asText())).isAfterOrEqualTo(started);
        assertThat(types(v.path("serverLevelValidationDetails"))).containsExactly("AuthenticationAndConnectivityValidation",
                "SourceVersionValidation", "ServerParametersValidation", "UserPrivilegesValidation");
        for (JsonNode item : v.path("serverLevelValidationDetails")) {
            assertSpecShape(item);
        }
        JsonNode db = v.path("dbLevelValidationDetails");
        assertThat(db.size()).isEqualTo(1);
        assertThat(db.get(0).path("databaseName").asText()).isEqualTo("clean");
        assertThat(Instant.parse(db.get(0).path("startedOn").asText())).isAfterOrEqualTo(started);
        assertThat(Instant.parse(db.get(0).path("endedOn").asText())).isAfterOrEqualTo(started);
        assertThat(types(db.get(0).path("summary"))).containsExactly("SchemaValidation", "ExtensionsValidation",
                "CollationsValidation", "UserDefinedCastsValidation", "SystemCatalogGrantsValidation",
                "ProceduralLanguagesValidation", "BaseTypesValidation", "SecurityDefinerFunctionsValidation",
                "ObjectOwnershipValidation", "DatabaseSizeValidation");
        for (JsonNode item : db.get(0).path("summary")) {
            assertSpecShape(item);
        }
        assertThat(db.toString()).contains("plan at least");
        assertThat(databaseExists("clean")).as("Validate moves no data").isFalse();
        assertThat(done.body()).doesNotContain(CLUSTERS.source().password()).doesNotContain(CLUSTERS.target().password());
    }

    @Test
    void validateOnlyFailsOnAnExtensionTheTargetLacksAndSaysHowToFixIt() throws Exception {
        String path = migrationPath(TARGET, "validate-legacy");
        assertThat(client.put(path, body("Validate", false, "legacy")).status()).isEqualTo(201);

        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("ValidationFailed");
        assertThat(done.subState()).isEqualTo("Completed");
        JsonNode v = validation(done);
        assertThat(v.path("status").asText()).isEqualTo("Failed");
        JsonNode extensions = item(v.path("dbLevelValidationDetails").get(0).path("summary"), "ExtensionsValidation");
        assertThat(extensions.path("state").asText()).isEqualTo("Failed");
        assertThat(extensions.path("messages").toString()).contains("old_snapshot").contains("not available on the target")
                .contains("postgresql-17-old_snapshot");
        assertThat(item(v.path("serverLevelValidationDetails"), "AuthenticationAndConnectivityValidation")
                .path("state").asText()).isEqualTo("Succeeded");
        assertThat(done.json().path("properties").path("currentStatus").path("error").asText())
                .contains("legacy: ExtensionsValidation").contains("old_snapshot");
        assertThat(databaseExists("legacy")).isFalse();
    }

    /**
     * The target server registered a second time (as "localhost") with azure.migration_skip_extensions and
     * azure.migration_skip_large_objects on: validation judges the migration that these parameters make. The source's
     * old_snapshot, which the 17 target lacks (without the parameter, validation fails: the test above), is a
     * warning when nothing uses it, and skipped large objects are a note; a database whose column uses a skipped
     * extension (hstore, which the target offers but the migration would not create) fails validation, naming the
     * extension, the column and the fixes, before anything is written.
     */
    @Test
    void theSkipParametersMakeAnUnusedMissingExtensionAWarningAndAUsedSkippedExtensionAFailure() throws Exception {
        String skipping = "validate-target-skipping";
        assertThat(client.registerServer("flexibleServers", skipping, "localhost", CLUSTERS.target().port()).status())
                .isEqualTo(201);
        for (String parameter : List.of("azure.migration_skip_extensions", "azure.migration_skip_large_objects")) {
            Response set = client.put(ArmClient.serverPath("flexibleServers", skipping) + "/configurations/"
                    + parameter, "{\"properties\": {\"value\": \"on\"}}");
            assertThat(set.status()).as(set.body()).isEqualTo(200);
        }
        PgCluster source = CLUSTERS.source();
        source.createDatabase("legacy_skipped");
        source.execute("legacy_skipped", "CREATE EXTENSION old_snapshot; CREATE TABLE t (id int PRIMARY KEY);"
                + " SELECT pg_catalog.lo_from_bytea(0, '\\x0102')");
        source.createDatabase("needs_hstore");
        source.execute("needs_hstore", "CREATE EXTENSION hstore;"
                + " CREATE TABLE settings (id int PRIMARY KEY, attrs public.hstore)");

        String passing = migrationPath(skipping, "skips-legacy");
        assertThat(client.put(passing, body("Validate", false, "legacy_skipped")).status()).isEqualTo(201);
        Response passed = awaitEnd(passing);
        assertThat(passed.state()).as(passed.body()).isEqualTo("Succeeded");
        JsonNode v = validation(passed);
        assertThat(v.path("status").asText()).isEqualTo("Warning");
        JsonNode summary = v.path("dbLevelValidationDetails").get(0).path("summary");
        JsonNode extensions = item(summary, "ExtensionsValidation");
        assertThat(extensions.path("state").asText()).isEqualTo("Warning");
        assertThat(extensions.path("messages")).singleElement().extracting(m -> m.path("message").asText())
                .isEqualTo("Extension old_snapshot 1.0 is not available on the target; it will not be migrated"
                        + " because azure.migration_skip_extensions is on, and nothing in database legacy_skipped"
                        + " uses it.");
        assertThat(item(summary, "DatabaseSizeValidation").path("messages").toString())
                .contains("The 1 large object of database legacy_skipped (")
                .contains(") will not be migrated: azure.migration_skip_large_objects is on.");

        String failing = migrationPath(skipping, "skips-hstore");
        assertThat(client.put(failing, body(null, true, "needs_hstore")).status()).isEqualTo(201);
        Response refused = awaitEnd(failing);
        assertThat(refused.state()).as(refused.body()).isEqualTo("ValidationFailed");
        assertThat(refused.json().path("properties").path("currentStatus").path("error").asText())
                .isEqualTo("Validation failed; no data was migrated. needs_hstore: ExtensionsValidation: Extension"
                        + " hstore is not migrated because azure.migration_skip_extensions is on, and the target"
                        + " database is created from template0, so it will not have hstore; but column attrs of table"
                        + " public.settings in database needs_hstore uses it, and would fail to restore. Turn"
                        + " azure.migration_skip_extensions off, or drop that object on the source.");
        assertThat(databaseExists("needs_hstore")).as("nothing is written to the target").isFalse();
    }

    /**
     * The source server registered a second time, as a flexible server named for "localhost" (the source is reached
     * at 127.0.0.1), with overwriteDbsInTarget: validation fails; without validation (Migrate) the engine refuses
     * before writing. Either way the source database keeps every row.
     */
    @Test
    void theSourceRegisteredAgainUnderAnotherNameIsNeverOverwritten() throws Exception {
        PgCluster source = CLUSTERS.source();
        assertThat(client.registerServer("flexibleServers", "alias-of-source", "localhost", source.port()).status())
                .isEqualTo(201);
        String b = MigrationBodies.seedShape(source, source, source.password(), true, "clean");

        String validated = migrationPath("alias-of-source", "same-validated");
        assertThat(client.put(validated, b).status()).isEqualTo(201);
        Response refused = awaitEnd(validated);
        assertThat(refused.state()).as(refused.body()).isEqualTo("ValidationFailed");
        JsonNode schema = item(validation(refused).path("dbLevelValidationDetails").get(0).path("summary"),
                "SchemaValidation");
        assertThat(schema.path("state").asText()).isEqualTo("Failed");
        assertThat(schema.path("messages").toString()).contains("is the source database itself");

        String unvalidated = migrationPath("alias-of-source", "same-unvalidated");
        assertThat(client.put(unvalidated, b.replace("\"sslMode\": \"Prefer\"",
                "\"sslMode\": \"Prefer\", \"migrationOption\": \"Migrate\"")).status()).isEqualTo(201);
        Response failed = awaitEnd(unvalidated);
        assertThat(failed.state()).as(failed.body()).isEqualTo("Failed");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText())
                .contains("is the source database itself").contains("Nothing was written");

        try (Connection c = source.connect("clean"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the source database kept its rows").isEqualTo(500);
        }
    }

    @Test
    void aWrongPasswordIsAFailedConnectivityCheck() {
        String path = migrationPath(TARGET, "validate-wrongpw");
        String b = body("Validate", false, "wrongpw").replace("\"" + CLUSTERS.source().password() + "\"",
                "\"not-the-password\"");
        assertThat(client.put(path, b).status()).isEqualTo(201);

        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("ValidationFailed");
        JsonNode connectivity = item(validation(done).path("serverLevelValidationDetails"),
                "AuthenticationAndConnectivityValidation");
        assertThat(connectivity.path("state").asText()).isEqualTo("Failed");
        assertThat(connectivity.path("messages").get(0).path("state").asText()).isEqualTo("Failed");
        assertThat(connectivity.path("messages").get(0).path("message").asText())
                .contains("Authentication failed on the source server");
        assertThat(done.body()).doesNotContain("not-the-password");
    }

    @Test
    void validateAndMigrateWithAFailingCheckEndsValidationFailedAndCreatesNothingOnTheTarget() throws Exception {
        String path = migrationPath(TARGET, "nocreate");
        String b = body(null, true, "nocreate")
                .replace("\"targetServerPassword\": \"" + CLUSTERS.target().password() + "\"",
                        "\"targetServerPassword\": \"" + PLAIN_PASSWORD + "\"")
                .replace("\"targetServerUserName\": \"" + CLUSTERS.target().superuser() + "\"",
                        "\"targetServerUserName\": \"" + PLAIN_USER + "\"");
        Response created = client.put(path, b);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("properties").path("migrationOption").asText())
                .as("the default option").isEqualTo("ValidateAndMigrate");

        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("ValidationFailed");
        assertThat(done.subState()).isEqualTo("Completed");
        JsonNode privileges = item(validation(done).path("serverLevelValidationDetails"), "UserPrivilegesValidation");
        assertThat(privileges.path("state").asText()).isEqualTo("Failed");
        assertThat(privileges.path("messages").toString()).contains("ALTER ROLE " + PLAIN_USER + " CREATEDB");
        assertThat(done.json().path("properties").path("currentStatus").path("error").asText())
                .startsWith("Validation failed; no data was migrated.")
                .contains("server: UserPrivilegesValidation").contains("CREATEDB");
        assertThat(databaseExists("nocreate")).as("nothing is written to the target").isFalse();
    }

    @Test
    void aWarningLetsTheMigrationProceedThroughTheOverwriteConfirmationWithoutValidatingAgain() throws Exception {
        String path = migrationPath(TARGET, "existing");
        assertThat(client.put(path, body(null, false, "existing")).status()).isEqualTo(201);

        Response waiting = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(waiting.state()).as(waiting.body()).isEqualTo("WaitingForUserAction");
        assertThat(waiting.subState()).isEqualTo("WaitingForTargetDBOverwriteConfirmation");
        JsonNode v = validation(waiting);
        assertThat(v.path("status").asText()).isEqualTo("Warning");
        JsonNode schema = item(v.path("dbLevelValidationDetails").get(0).path("summary"), "SchemaValidation");
        assertThat(schema.path("state").asText()).isEqualTo("Warning");
        assertThat(schema.path("messages").toString()).contains("exists on the target")
                .contains("WaitingForTargetDBOverwriteConfirmation");

        assertThat(client.patch(path, "{\"properties\": {\"overwriteDbsInTarget\": \"True\"}}").status()).isEqualTo(200);
        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        assertThat(validation(done).path("validationStartTimeInUtc").asText())
                .as("the confirmation does not validate again").isEqualTo(v.path("validationStartTimeInUtc").asText());
        try (Connection s = CLUSTERS.source().connect("existing"); Connection t = CLUSTERS.target().connect("existing")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
    }

    @Test
    void migrateSkipsValidationAndReportsTheVerificationOfEveryTable() throws Exception {
        String path = migrationPath(TARGET, "plain");
        assertThat(client.put(path, body("Migrate", true, "plain")).status()).isEqualTo(201);

        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        assertThat(done.json().path("properties").path("currentStatus").path("currentSubStateDetails")
                .has("validationDetails")).isFalse();
        JsonNode verification = done.json().path("properties").path("verificationDetails");
        assertThat(verification.path("status").asText()).isEqualTo("Succeeded");
        JsonNode db = verification.path("databases").get(0);
        assertThat(db.path("databaseName").asText()).isEqualTo("plain");
        assertThat(db.path("status").asText()).isEqualTo("Succeeded");
        assertThat(db.path("sequenceMismatches").size()).isZero();
        assertThat(db.path("objectMismatches").size()).isZero();
        JsonNode table = db.path("tables").get(0);
        assertThat(table.path("table").asText()).isEqualTo("public.customers");
        assertThat(table.path("sourceRows").asLong()).isEqualTo(500);
        assertThat(table.path("targetRows").asLong()).isEqualTo(500);
        assertThat(table.path("equal").asBoolean()).isTrue();
        assertThat(table.has("message")).isFalse();
    }

    /**
     * Real causes of a mismatch: an offline migration is interrupted (the service is killed), and meanwhile the
     * application goes on writing to the source (it deletes three orders) and someone adds an index on the target.
     * The resumed run copies nothing twice, but its verification (in a new snapshot) catches both: the migration
     * fails naming the table, and verificationDetails shows the counts and the index only the target has.
     *
     * <p>To stop at a known point, the test holds a lock on the source's pg_largeobject catalog: the engine copies and
     * verifies the tables, builds the indexes and restores post-data, then waits to read the large object.
     */
    @Test
    void aSourceWrittenWhileTheServiceWasDownFailsTheResumedMigrationNamingTheTable() throws Exception {
        Path ownDir = Files.createTempDirectory("pgmigrate-verification-resume");
        String path = migrationPath(TARGET, "audited");
        Process child = null;
        try {
            try (Connection blocker = CLUSTERS.source().connect("audited"); Statement s = blocker.createStatement()) {
                blocker.setAutoCommit(false);
                s.execute("LOCK TABLE pg_catalog.pg_largeobject IN ACCESS EXCLUSIVE MODE");
                child = startServiceProcess(ownDir);
                ArmClient first = new ArmClient(ownDir);
                assertThat(first.registerServer("flexibleServers", TARGET, CLUSTERS.target().host(),
                        CLUSTERS.target().port()).status()).isEqualTo(201);
                assertThat(first.put(path, body("Migrate", true, "audited")).status()).isEqualTo(201);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                        .until(() -> pgmigrateWaitsForALockOnTheSource("audited"));
                assertThat(targetCount("audited", "orders")).as("the copy is done").isEqualTo(20000);
                child.destroyForcibly();
                assertThat(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                CLUSTERS.source().execute("audited", "DELETE FROM orders WHERE id IN (7, 8, 9)");
                CLUSTERS.target().execute("audited", "CREATE INDEX orders_amount_by_hand ON orders (amount)");
                blocker.commit();
            }
            Files.deleteIfExists(ownDir.resolve("endpoint"));
            Response done;
            try (ServiceWiring second = startService(ownDir)) {
                ArmClient c = new ArmClient(ownDir);
                done = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                        .until(() -> c.get(path), r -> !r.state().equals("InProgress"));
            }

            assertThat(done.state()).as(done.body()).isEqualTo("Failed");
            assertThat(done.json().path("properties").path("currentStatus").path("error").asText())
                    .startsWith("audited: Verification of database audited found differences:")
                    .contains("public.orders: 19997 rows on the source, 20000 on the target")
                    .contains("\n  only on the target: index public.orders_amount_by_hand (CREATE INDEX"
                            + " orders_amount_by_hand ON public.orders USING btree (amount))");
            assertThat(done.db("audited").path("migrationState").asText()).isEqualTo("Failed");
            JsonNode verification = done.json().path("properties").path("verificationDetails");
            assertThat(verification.path("status").asText()).isEqualTo("Failed");
            JsonNode db = verification.path("databases").get(0);
            assertThat(db.path("databaseName").asText()).isEqualTo("audited");
            assertThat(db.path("status").asText()).isEqualTo("Failed");
            assertThat(db.path("objectMismatches")).singleElement().extracting(JsonNode::asText)
                    .isEqualTo("only on the target: index public.orders_amount_by_hand (CREATE INDEX"
                            + " orders_amount_by_hand ON public.orders USING btree (amount))");
            assertThat(db.path("sequenceMismatches").size()).isZero();
            List<String> equalTables = new ArrayList<>();
            for (JsonNode t : db.path("tables")) {
                if (t.path("table").asText().equals("public.orders")) {
                    assertThat(t.path("sourceRows").asLong()).isEqualTo(19997);
                    assertThat(t.path("targetRows").asLong()).isEqualTo(20000);
                    assertThat(t.path("equal").asBoolean()).isFalse();
                    assertThat(t.path("message").asText()).contains("19997 rows on the source, 20000 on the target");
                } else if (t.path("equal").asBoolean()) {
                    equalTables.add(t.path("table").asText());
                }
            }
            assertThat(equalTables).containsExactly("public.customers");
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
            deleteTree(ownDir);
        }
    }

    private static ServiceWiring startService(Path dir) {
        return ServiceWiring.start(TestStores.defaults(new DataDirectory(dir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));
    }

    /**
     * Restart safety: the service is killed with SIGKILL while a check waits (on a lock the test holds on the source's
     * pg_extension catalog). Validation leaves nothing half-done, so the next start simply validates again.
     */
    @Test
    void aServiceKilledDuringValidationValidatesAgainAtItsNextStart() throws Exception {
        Path ownDir = Files.createTempDirectory("pgmigrate-validation-kill");
        Process child = null;
        try (Connection blocker = CLUSTERS.source().connect("slowcheck"); Statement s = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            s.execute("LOCK TABLE pg_catalog.pg_extension IN ACCESS EXCLUSIVE MODE");
            child = startServiceProcess(ownDir);
            ArmClient first = new ArmClient(ownDir);
            assertThat(first.registerServer("flexibleServers", TARGET, CLUSTERS.target().host(), CLUSTERS.target().port())
                    .status()).isEqualTo(201);
            String path = migrationPath(TARGET, "killed-validation");
            Response created = first.put(path, body("Validate", false, "slowcheck"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            Response validating = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> first.get(path), r -> r.subState().equals("ValidationInProgress"));
            assertThat(validating.state()).isEqualTo("InProgress");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> pgmigrateWaitsForALockOnTheSource("slowcheck"));
            child.destroyForcibly();
            assertThat(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            blocker.commit();
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
        }
        Instant restarted = Instant.now();
        Files.deleteIfExists(ownDir.resolve("endpoint"));
        try (ServiceWiring second = startService(ownDir)) {
            ArmClient again = new ArmClient(ownDir);
            Response done = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> again.get(migrationPath(TARGET, "killed-validation")), r -> !r.state().equals("InProgress"));
            assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
            assertThat(done.subState()).isEqualTo("Completed");
            JsonNode v = validation(done);
            assertThat(v.path("status").asText()).isEqualTo("Succeeded");
            assertThat(Instant.parse(v.path("validationStartTimeInUtc").asText()))
                    .as("validated again after the restart").isAfter(restarted);
            assertThat(item(v.path("dbLevelValidationDetails").get(0).path("summary"), "ExtensionsValidation")
                    .path("state").asText()).isEqualTo("Succeeded");
        } finally {
            deleteTree(ownDir);
        }
    }

    /** A service JVM on {@code dir}, on the store this run uses, once its endpoint file is written. */
    private static Process startServiceProcess(Path dir) throws Exception {
        ServiceProcesses nodes = new ServiceProcesses(dir);
        nodes.start();
        return nodes.latest();
    }

    private static boolean pgmigrateWaitsForALockOnTheSource(String db) throws SQLException {
        try (Connection c = CLUSTERS.source().connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db + "'"
                     + " AND application_name LIKE 'pgmigrate%' AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    /** A body in the seed's shape; {@code option} null leaves migrationOption out (the default). */
    private static String body(String option, boolean overwrite, String... dbs) {
        String b = MigrationBodies.seedShape(CLUSTERS.source(), CLUSTERS.target(), CLUSTERS.source().password(), overwrite,
                dbs);
        return option == null ? b : b.replace("\"sslMode\": \"Prefer\"", "\"sslMode\": \"Prefer\", \"migrationOption\": \""
                + option + "\"");
    }

    static void assertSpecShape(JsonNode item) {
        assertThat(item.path("type").asText()).isNotEmpty();
        assertThat(item.path("state").asText()).isIn("Succeeded", "Warning", "Failed");
        assertThat(item.path("messages").isArray()).as(item.toString()).isTrue();
        for (JsonNode message : item.path("messages")) {
            assertThat(message.path("state").asText()).isIn("Succeeded", "Warning", "Failed");
            assertThat(message.path("message").asText()).isNotEmpty();
            assertThat(message.size()).as("a ValidationMessage has state and message only").isEqualTo(2);
        }
    }

    static JsonNode validation(Response r) {
        return r.json().path("properties").path("currentStatus").path("currentSubStateDetails").path("validationDetails");
    }

    static JsonNode item(JsonNode items, String type) {
        for (JsonNode item : items) {
            if (item.path("type").asText().equals(type)) {
                return item;
            }
        }
        throw new AssertionError("no " + type + " in " + items);
    }

    private static List<String> types(JsonNode items) {
        List<String> types = new ArrayList<>();
        items.forEach(i -> types.add(i.path("type").asText()));
        return types;
    }

    private static Response awaitEnd(String path) {
        return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress") && !r.state().isEmpty());
    }

    private static boolean databaseExists(String db) throws SQLException {
        try (Connection c = CLUSTERS.target().connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + db + "'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static long targetCount(String db, String table) throws SQLException {
        try (Connection c = CLUSTERS.target().connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void deleteTree(Path dir) throws Exception {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
