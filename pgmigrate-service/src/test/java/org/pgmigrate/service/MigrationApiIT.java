package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;
import static org.pgmigrate.service.ArmClient.serverPath;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;

/** The REST API against a real service on port 0 and real source and target clusters: inputs, states, security. */
@Timeout(300)
class MigrationApiIT {

    private static final String TARGET = "target1";
    private static PgCluster source;
    private static PgCluster target;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("api-source").start();
        target = PgCluster.builder().version(15).name("api-target").start();
        for (String db : new String[] {"shop", "crm", "hr", "wrongpw", "dup", "winddb", "overdb", "gone", "cancel1",
                "cancel2", "del1", "secretdb", "list1", "regsrc", "present", "byfqdn"}) {
            source.createDatabase(db);
        }
        dataDir = Files.createTempDirectory("pgmigrate-api-it");
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
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String body(String password, boolean overwrite, String... dbs) {
        return MigrationBodies.seedShape(source, target, password, overwrite, dbs);
    }

    private static String migrateOnly(String body) {
        return body.replace("\"sslMode\": \"Prefer\"", "\"sslMode\": \"Prefer\", \"migrationOption\": \"Migrate\"");
    }

    private static String later() {
        return Instant.now().plus(Duration.ofHours(2)).toString();
    }

    /** A body whose migration waits for its window, so it stays active without moving data. */
    private static String waiting(String... dbs) {
        return body(source.password(), false, dbs).replace("\"sslMode\": \"Prefer\"",
                "\"sslMode\": \"Prefer\", \"migrationWindowStartTimeInUtc\": \"" + later() + "\"");
    }

    private static Response awaitState(String migration, String state) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(migrationPath(TARGET, migration)), r -> r.state().equals(state));
    }

    @Test
    void everyRequestNeedsTheToken() {
        ArmClient anonymous = new ArmClient(dataDir).withToken(null);
        Response none = anonymous.get(migrationPath(TARGET, "x"));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("AuthenticationFailed");
        Response wrong = new ArmClient(dataDir).withToken("not-the-token").get(serverPath("flexibleServers", TARGET));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.errorCode()).isEqualTo("InvalidAuthenticationToken");
        assertThat(anonymous.raw("GET", "/healthz", null).status()).isEqualTo(401);
        assertThat(anonymous.raw("GET", "/metrics", null).status()).isEqualTo(401);
    }

    @Test
    void apiVersionIsRequiredAndMustBeKnown() {
        Response missing = client.raw("GET", serverPath("flexibleServers", TARGET) + "/migrations", null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorCode()).isEqualTo("MissingApiVersionParameter");
        Response unknown = client.raw("GET", serverPath("flexibleServers", TARGET) + "/migrations?api-version=2019-01-01", null);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorCode()).isEqualTo("NoRegisteredProviderFound");
        for (String v : new String[] {"2022-05-01-preview", "2024-08-01", "2025-01-01-preview", "2025-08-01", "2026-01-01-preview"}) {
            assertThat(client.raw("GET", serverPath("flexibleServers", TARGET) + "/migrations?api-version=" + v, null)
                    .status()).as(v).isEqualTo(200);
        }
    }

    @Test
    void pathsMatchCaseInsensitivelyAsArmDoes() {
        String path = serverPath("flexibleServers", TARGET).replace("resourceGroups", "resourcegroups")
                .replace("Microsoft.DBforPostgreSQL", "Microsoft.DBForPostgreSql") + "/migrations";
        assertThat(client.get(path).status()).isEqualTo(200);
    }

    @Test
    void malformedMissingOrUnknownJsonIsABadRequestNamingTheProblem() {
        String path = migrationPath(TARGET, "badjson");
        Response empty = client.put(path, "");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.errorCode()).isEqualTo("InvalidRequestContent");
        Response broken = client.put(path, "{\"properties\": {");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.errorMessage()).contains("could not be deserialized");
        Response unknown = client.put(path, body(source.password(), false, "shop").replace("\"sslMode\"", "\"sslModes\""));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorMessage()).contains("Unknown property 'properties.sslModes'");
        assertThat(unknown.json().path("error").path("target").asText()).isEqualTo("properties.sslModes");
        Response badBool = client.put(path, body(source.password(), false, "shop").replace("\"false\"", "\"nope\""));
        assertThat(badBool.status()).isEqualTo(400);
        assertThat(badBool.errorMessage()).isEqualTo("Value of Key properties.overwriteDbsInTarget must be either 'True' or 'False'");
        assertThat(client.get(path).status()).isEqualTo(404);
    }

    @Test
    void badMigrationNamesAreRefused() {
        for (String name : new String[] {"-lead", "under_score", "a".repeat(64)}) {
            Response r = client.put(migrationPath(TARGET, name), body(source.password(), false, "shop"));
            assertThat(r.status()).as(name).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("InvalidResourceName");
            Response check = client.post(serverPath("flexibleServers", TARGET) + "/checkMigrationNameAvailability",
                    "{\"name\": \"" + name + "\", \"type\": \"Microsoft.DBforPostgreSQL/flexibleServers/migrations\"}");
            assertThat(check.status()).isEqualTo(200);
            assertThat(check.json().path("nameAvailable").asBoolean()).isFalse();
            assertThat(check.json().path("reason").asText()).isEqualTo("Invalid");
        }
    }

    @Test
    void dbsToMigrateFollowsItsRules() {
        String path = migrationPath(TARGET, "dbrules");
        assertThat(client.put(path, body(source.password(), false)).errorMessage()).contains("is empty");
        assertThat(client.put(path, body(source.password(), false, "template1")).errorMessage()).contains("template0 and template1");
        assertThat(client.put(path, body(source.password(), false, "a", "a")).errorMessage()).contains("twice");
        String[] many = new String[51];
        for (int i = 0; i < many.length; i++) {
            many[i] = "db" + i;
        }
        Response tooMany = client.put(path, body(source.password(), false, many));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.errorMessage()).contains("the limit is 50");
    }

    @Test
    void unknownServersAreClientErrors() {
        Response noTarget = client.put(migrationPath("nosuchserver", "m1"), body(source.password(), false, "shop"));
        assertThat(noTarget.status()).isEqualTo(404);
        assertThat(noTarget.errorCode()).isEqualTo("ParentResourceNotFound");
        assertThat(noTarget.errorMessage()).contains("pgmigrate server create");
        String unregisteredSource = body(source.password(), false, "shop").replaceFirst(
                "\"sourceDBServerResourceId\": \"[^\"]+\"", "\"sourceDBServerResourceId\": \"/subscriptions/s/resourceGroups/"
                        + "rg/providers/Microsoft.DBforPostgreSQL/servers/nosuchsource\"");
        Response noSource = client.put(migrationPath(TARGET, "m1"), unregisteredSource);
        assertThat(noSource.status()).isEqualTo(400);
        assertThat(noSource.errorMessage()).contains("is not registered");
        Response garbled = client.put(migrationPath(TARGET, "m1"), body(source.password(), false, "shop")
                .replaceFirst("\"sourceDBServerResourceId\": \"[^\"]+\"", "\"sourceDBServerResourceId\": \"justahost\""));
        assertThat(garbled.status()).isEqualTo(400);
        assertThat(garbled.errorMessage()).contains("host:port@user");
    }

    @Test
    void serversRegisterListAndDelete() {
        String path = serverPath("servers", "legacy1");
        Response created = client.put(path, "{\"properties\": {\"FullyQualifiedDomainName\": \"10.1.2.3\", \"port\": 5433, "
                + "\"sslMode\": \"require\"}}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("type").asText()).isEqualTo("Microsoft.DBforPostgreSQL/servers");
        assertThat(created.json().path("properties").path("sslMode").asText()).isEqualTo("Require");
        assertThat(client.put(path, "{\"properties\": {\"host\": \"10.1.2.4\"}}").status()).isEqualTo(200);
        assertThat(client.get(path).json().path("properties").path("fullyQualifiedDomainName").asText()).isEqualTo("10.1.2.4");
        assertThat(client.get(serverPath("servers", "")).json().path("value")).hasSize(1);
        assertThat(client.delete(path).status()).isEqualTo(200);
        assertThat(client.delete(path).status()).isEqualTo(204);
        Response gone = client.get(path);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo("ResourceNotFound");
        Response badPort = client.put(path, "{\"properties\": {\"host\": \"h\", \"port\": 70000}}");
        assertThat(badPort.status()).isEqualTo(400);
    }

    @Test
    void aServerWhoseHostDoesNotResolveIsRegisteredButNotReady() {
        String path = serverPath("flexibleServers", "unresolved1");
        Response created = client.put(path, "{\"properties\": {\"host\": \"no.such.host.invalid\"}}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("properties").path("state").asText()).isEqualTo("Inaccessible");
        assertThat(created.json().path("properties").path("stateMessage").asText())
                .startsWith("The host 'no.such.host.invalid' does not resolve on the service's machine");
        assertThat(client.get(path).json().path("properties").path("state").asText()).isEqualTo("Inaccessible");
        // the same PUT again looks the host up again; a host that resolves is Ready
        assertThat(client.put(path, "{\"properties\": {\"host\": \"no.such.host.invalid\"}}").status()).isEqualTo(200);
        Response fixed = client.put(path, "{\"properties\": {\"host\": \"localhost\"}}");
        assertThat(fixed.json().path("properties").path("state").asText()).isEqualTo("Ready");
        assertThat(fixed.json().path("properties").has("stateMessage")).isFalse();
        assertThat(client.delete(path).status()).isEqualTo(200);
    }

    @Test
    void aRestartCommandIsRefusedNamingTheFlagUnlessTheServiceWasStartedWithIt() {
        String path = serverPath("servers", "withrestart");
        Response refused = client.put(path, "{\"properties\": {\"host\": \"10.1.2.3\", \"restartCommand\": "
                + "\"touch /tmp/pgmigrate-should-never-exist\"}}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("FeatureNotSupported");
        assertThat(refused.json().path("error").path("target").asText()).isEqualTo("properties.restartCommand");
        assertThat(refused.errorMessage()).contains("does not run restart commands")
                .contains("pgmigrate serve --allow-restart-commands").contains("without restartCommand");
        assertThat(client.get(path).status()).as("nothing was registered").isEqualTo(404);
        Response blank = client.put(path, "{\"properties\": {\"host\": \"10.1.2.3\", \"restartCommand\": \" \"}}");
        assertThat(blank.status()).as("a blank command is no command").isEqualTo(201);
        assertThat(blank.json().path("properties").has("restartCommand")).isFalse();
        assertThat(client.delete(path).status()).isEqualTo(200);
    }

    @Test
    void aServerThatActiveMigrationsUseCannotBeChangedOrDeletedUntilTheyEndAndTheConflictNamesThem() {
        String sourceServer = serverPath("servers", "srcinuse");
        String registration = "{\"location\": \"local\", \"properties\": {\"fullyQualifiedDomainName\": \""
                + source.host() + "\", \"port\": " + source.port() + ", \"sslMode\": \"Prefer\"}}";
        assertThat(client.put(sourceServer, registration).status()).isEqualTo(201);
        String sourceId = "/subscriptions/" + ArmClient.SUB + "/resourceGroups/" + ArmClient.RG
                + "/providers/Microsoft.DBforPostgreSQL/servers/srcinuse";
        for (String[] m : new String[][] {{"inuse-a", "inuse1"}, {"inuse-b", "inuse2"}}) {
            Response created = client.put(migrationPath(TARGET, m[0]), waiting(m[1]).replaceFirst(
                    "\"sourceDBServerResourceId\": \"[^\"]+\"", "\"sourceDBServerResourceId\": \"" + sourceId + "\""));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        String moved = registration.replace("\"port\": " + source.port(), "\"port\": " + (source.port() + 1));

        Response changed = client.put(sourceServer, moved);
        assertThat(changed.status()).isEqualTo(409);
        assertThat(changed.errorCode()).isEqualTo("ServerInUse");
        assertThat(changed.errorMessage()).startsWith("Server 'srcinuse' cannot be changed while active migrations use "
                + "it: 'inuse-a' (source, InProgress/WaitingForDataMigrationWindow, on target server 'target1'), "
                + "'inuse-b' (source, InProgress/WaitingForDataMigrationWindow, on target server 'target1'). Wait for "
                + "them to finish, or cancel them");
        assertThat(client.get(sourceServer).json().path("properties").path("port").asInt()).isEqualTo(source.port());
        assertThat(client.put(sourceServer, registration).status()).as("an identical PUT changes nothing").isEqualTo(200);
        Response deleted = client.delete(sourceServer);
        assertThat(deleted.status()).isEqualTo(409);
        assertThat(deleted.errorMessage()).startsWith("Server 'srcinuse' cannot be deleted while active migrations use it")
                .contains("'inuse-a'").contains("'inuse-b'");

        Response targetChanged = client.put(serverPath("flexibleServers", TARGET), "{\"properties\": {\"host\": \""
                + target.host() + "\", \"port\": " + (target.port() + 1) + "}}");
        assertThat(targetChanged.status()).isEqualTo(409);
        assertThat(targetChanged.errorMessage()).startsWith("Server '" + TARGET + "' cannot be changed while active migrations "
                + "use it").contains("'inuse-a' (target, InProgress/WaitingForDataMigrationWindow)");
        assertThat(client.get(serverPath("flexibleServers", TARGET)).json().path("properties").path("port").asInt())
                .isEqualTo(target.port());

        assertThat(client.delete(migrationPath(TARGET, "inuse-a")).state()).isEqualTo("Canceled");
        Response stillOne = client.put(sourceServer, moved);
        assertThat(stillOne.status()).isEqualTo(409);
        assertThat(stillOne.errorMessage()).contains("'inuse-b'").doesNotContain("'inuse-a'");
        assertThat(client.delete(migrationPath(TARGET, "inuse-b")).state()).isEqualTo("Canceled");
        Response free = client.put(sourceServer, moved);
        assertThat(free.status()).as(free.body()).isEqualTo(200);
        assertThat(free.json().path("properties").path("port").asInt()).isEqualTo(source.port() + 1);
        assertThat(client.delete(sourceServer).status()).isEqualTo(200);
    }

    @Test
    void aDuplicateNameIsAConflictButAnIdenticalRetryIsNot() {
        String path = migrationPath(TARGET, "dupname");
        String body = waiting("dup");
        Response first = client.put(path, body);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.state()).isEqualTo("InProgress");
        assertThat(first.subState()).isEqualTo("WaitingForDataMigrationWindow");
        Response retry = client.put(path, body);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().path("properties").path("migrationId").asText())
                .isEqualTo(first.json().path("properties").path("migrationId").asText());
        Response other = client.put(path.replace("dupname", "DUPNAME"), waiting("hr"));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.errorCode()).isEqualTo("ResourceAlreadyExists");
        Response check = client.post(serverPath("flexibleServers", TARGET) + "/checkMigrationNameAvailability",
                "{\"name\": \"dupname\", \"type\": \"Microsoft.DBforPostgreSQL/flexibleServers/migrations\"}");
        assertThat(check.json().path("reason").asText()).isEqualTo("AlreadyExists");
    }

    @Test
    void aDatabaseAlreadyInAnActiveMigrationToTheTargetIsAConflictNamingIt() {
        assertThat(client.put(migrationPath(TARGET, "holder"), waiting("crm")).status()).isEqualTo(201);
        Response clash = client.put(migrationPath(TARGET, "clasher"), waiting("shop", "crm"));
        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.errorCode()).isEqualTo("DatabaseAlreadyInActiveMigration");
        assertThat(clash.errorMessage()).contains("'crm'").contains("'holder'");
    }

    @Test
    void cutoverOnAnOfflineMigrationIsRefusedWithAzWording() {
        String path = migrationPath(TARGET, "offcut");
        assertThat(client.put(path, waiting("list1")).status()).isEqualTo(201);
        Response r = client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorMessage()).isEqualTo("Cutover is not possible for migration offcut if the migration_mode set to "
                + "offline. The migration will cutover automatically");
        assertThat(client.delete(path).status()).isEqualTo(200);
    }

    @Test
    void theWindowWaitsThenOverwriteConfirmationWaitsThenCancelLeavesTheTarget() {
        target.createDatabase("overdb");
        target.execute("overdb", "CREATE TABLE keep_me (id int); INSERT INTO keep_me VALUES (1)");
        String path = migrationPath(TARGET, "window-over");
        Response created = client.put(path, waiting("overdb"));
        assertThat(created.subState()).isEqualTo("WaitingForDataMigrationWindow");
        Response started = client.patch(path, "{\"properties\": {\"startDataMigration\": \"True\"}}");
        assertThat(started.status()).isEqualTo(200);
        assertThat(started.subState()).isEqualTo("PerformingPreRequisiteSteps");
        Response waiting = awaitState("window-over", "WaitingForUserAction");
        assertThat(waiting.subState()).isEqualTo("WaitingForTargetDBOverwriteConfirmation");
        assertThat(waiting.db("overdb").path("message").asText()).contains("already exists on the target");
        Response canceled = client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}");
        assertThat(canceled.status()).isEqualTo(200);
        assertThat(canceled.state()).isEqualTo("Canceled");
        assertThat(canceled.subState()).isEqualTo("Completed");
        assertThat(canceled.db("overdb").path("migrationState").asText()).isEqualTo("Canceled");
        assertThat(canceled.db("overdb").path("message").asText()).contains("does not drop or roll back");
        target.execute("overdb", "DO $$ BEGIN IF (SELECT count(*) FROM keep_me) <> 1 THEN RAISE 'target changed'; END IF; END $$");
        Response again = client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorMessage()).contains("already Canceled");
    }

    @Test
    void aWindowOpensByItself() {
        target.createDatabase("winddb");
        String path = migrationPath(TARGET, "selfopen");
        String start = Instant.now().plusSeconds(3).toString();
        Response created = client.put(path, body(source.password(), false, "winddb").replace("\"sslMode\": \"Prefer\"",
                "\"sslMode\": \"Prefer\", \"migrationWindowStartTimeInUtc\": \"" + start + "\""));
        assertThat(created.subState()).isEqualTo("WaitingForDataMigrationWindow");
        Response waiting = awaitState("selfopen", "WaitingForUserAction");
        assertThat(waiting.subState()).isEqualTo("WaitingForTargetDBOverwriteConfirmation");
        assertThat(Instant.now()).isAfter(Instant.parse(start));
        assertThat(client.delete(path).status()).isEqualTo(200);
    }

    /** Migrate skips validation, so the prerequisites find the wrong password (ValidationIT covers the default). */
    @Test
    void aWrongPasswordFailsTheMigrationWithAClearMessageAndCancelingItThenIsAConflict() {
        String path = migrationPath(TARGET, "wrongpw");
        Response created = client.put(path, migrateOnly(body("not-the-password", false, "wrongpw")));
        assertThat(created.status()).isEqualTo(201);
        Response failed = awaitState("wrongpw", "Failed");
        assertThat(failed.subState()).isEqualTo("Completed");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText())
                .contains("Authentication failed on the source server").contains("password");
        assertThat(failed.db("wrongpw").path("migrationState").asText()).isEqualTo("Failed");
        assertThat(failed.db("wrongpw").path("message").asText()).contains("Authentication failed");
        Response cancel = client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}");
        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.errorMessage()).contains("already Failed");
    }

    @Test
    void anUnknownSourceDatabaseFailsNamingIt() {
        Response created = client.put(migrationPath(TARGET, "nodb"), migrateOnly(body(source.password(), false, "gone",
                "nosuchdb")));
        assertThat(created.status()).isEqualTo(201);
        Response failed = awaitState("nodb", "Failed");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText()).contains("nosuchdb");
        assertThat(failed.db("nosuchdb").path("message").asText()).contains("does not exist on the source server");
    }

    @Test
    void anUnknownSourceDatabaseFailsValidationNamingIt() {
        Response created = client.put(migrationPath(TARGET, "nodb-validated"), body(source.password(), false, "present",
                "nosuchdb2"));
        assertThat(created.status()).isEqualTo(201);
        Response failed = awaitState("nodb-validated", "ValidationFailed");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText())
                .contains("nosuchdb2: SchemaValidation").contains("Database nosuchdb2 does not exist on the source")
                .doesNotContain("present:");
    }

    @Test
    void anUnreachableSourceFails() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String b = body(source.password(), false, "hr").replace(":" + source.port() + "@", ":" + closedPort + "@");
        assertThat(client.put(migrationPath(TARGET, "unreach"), b).status()).isEqualTo(201);
        Response failed = awaitState("unreach", "ValidationFailed");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText())
                .contains("Cannot connect to the source server");
    }

    @Test
    void sslModeIsHonouredOnTheConnections() {
        String b = body(source.password(), false, "hr").replace("\"sslMode\": \"Prefer\"", "\"sslMode\": \"Require\"");
        assertThat(client.put(migrationPath(TARGET, "sslreq"), b).status()).isEqualTo(201);
        Response failed = awaitState("sslreq", "ValidationFailed");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText())
                .as("the test clusters have no SSL, so Require must fail")
                .contains("AuthenticationAndConnectivityValidation").containsIgnoringCase("SSL");
        assertThat(failed.json().path("properties").path("sslMode").asText()).isEqualTo("Require");
    }

    @Test
    void aPatchThatNamesAnUnregisteredSourceChangesNothing() {
        String path = migrationPath(TARGET, "patchsrc");
        assertThat(client.put(path, waiting("shop")).status()).isEqualTo(201);
        Response r = client.patch(path, "{\"properties\": {\"sourceDbServerResourceId\": \"/subscriptions/s/resourceGroups/"
                + "rg/providers/Microsoft.DBforPostgreSQL/servers/ghost\"}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(client.get(path).json().path("properties").path("sourceDbServerResourceId").asText()).contains("@");
        Response dbs = client.patch(path, "{\"properties\": {\"dbsToMigrate\": [\"shop\", \"hr\"]}}");
        assertThat(dbs.status()).as(dbs.body()).isEqualTo(200);
        assertThat(dbs.json().path("properties").path("dbsToMigrate")).hasSize(2);
        assertThat(client.delete(path).state()).isEqualTo("Canceled");
    }

    @Test
    void aSourceNamedByTheResourceIdOfARegisteredSingleServerIsResolvedWithItsUserSuffixDropped() {
        assertThat(client.registerServer("servers", "legacysrc", source.host(), source.port()).status()).isEqualTo(201);
        target.createDatabase("regsrc");
        String b = """
                { "properties": {
                    "sourceDbServerResourceId": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.DBforPostgreSQL/servers/legacysrc",
                    "secretParameters": {
                      "adminCredentials": { "sourceServerPassword": "%s", "targetServerPassword": "%s" },
                      "sourceServerUserName": "postgres@legacysrc", "targetServerUserName": "postgres" },
                    "dbsToMigrate": ["regsrc"], "overwriteDbsInTarget": "false" } }"""
                .formatted(ArmClient.SUB, ArmClient.RG, source.password(), target.password());
        assertThat(client.put(migrationPath(TARGET, "fromregistered"), b).status()).isEqualTo(201);
        Response waiting = awaitState("fromregistered", "WaitingForUserAction");
        assertThat(waiting.subState()).as("it reached both servers and found regsrc on the target")
                .isEqualTo("WaitingForTargetDBOverwriteConfirmation");
        Response inUse = client.delete(serverPath("servers", "legacysrc"));
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.errorMessage()).contains("fromregistered");
        assertThat(client.delete(migrationPath(TARGET, "fromregistered")).state()).isEqualTo("Canceled");
        assertThat(client.delete(serverPath("servers", "legacysrc")).status()).isEqualTo(200);
    }

    /** Migrations_Delete, the DELETE of api-versions up to 2025-01-01-preview (ArmSpecIT has Migrations_Cancel). */
    @Test
    void deleteCancelsAnActiveMigrationThenDeletesTheFinishedOne() {
        String path = migrationPath(TARGET, "del1");
        ArmClient deleting = new ArmClient(dataDir).withApiVersion("2024-08-01");
        assertThat(client.put(path, waiting("del1")).status()).isEqualTo(201);
        Response canceled = deleting.delete(path);
        assertThat(canceled.status()).isEqualTo(200);
        assertThat(canceled.state()).isEqualTo("Canceled");
        assertThat(deleting.delete(path).status()).isEqualTo(200);
        assertThat(client.get(path).status()).isEqualTo(404);
        assertThat(deleting.delete(path).status()).isEqualTo(204);
    }

    @Test
    void listingShowsActiveByDefaultAndAllOnRequest() {
        assertThat(client.put(migrationPath(TARGET, "list-active"), waiting("cancel1")).status()).isEqualTo(201);
        assertThat(client.put(migrationPath(TARGET, "list-done"), waiting("cancel2")).status()).isEqualTo(201);
        assertThat(client.delete(migrationPath(TARGET, "list-done")).state()).isEqualTo("Canceled");
        String list = serverPath("flexibleServers", TARGET) + "/migrations";
        assertThat(names(client.get(list))).contains("list-active").doesNotContain("list-done");
        assertThat(names(client.get(list + "?migrationListFilter=Active"))).contains("list-active").doesNotContain("list-done");
        assertThat(names(client.get(list + "?migrationListFilter=All"))).contains("list-active", "list-done");
        assertThat(client.get(list + "?migrationListFilter=Some").status()).isEqualTo(400);
    }

    @Test
    void listingTheMigrationsOfAnUnknownServerIsAMissingParentNotAnEmptyList() {
        Response unknown = client.get(serverPath("flexibleServers", "nosuchserver") + "/migrations");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("ParentResourceNotFound");
        assertThat(unknown.errorMessage()).contains("'nosuchserver'").contains("pgmigrate server create");
        assertThat(client.registerServer("flexibleServers", "empty-target", target.host(), target.port()).status())
                .isEqualTo(201);
        Response empty = client.get(serverPath("flexibleServers", "empty-target") + "/migrations");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.json().path("value")).isEmpty();
        // A migration may name an unregistered target by its FQDN: its server then lists it.
        String byFqdn = waiting("byfqdn").replace("\"sslMode\": \"Prefer\"", "\"sslMode\": \"Prefer\", "
                + "\"targetDbServerFullyQualifiedDomainName\": \"" + target.host() + ":" + target.port() + "\"");
        assertThat(client.put(migrationPath("fqdn-only-target", "by-fqdn"), byFqdn).status()).isEqualTo(201);
        assertThat(names(client.get(serverPath("flexibleServers", "fqdn-only-target") + "/migrations")))
                .containsExactly("by-fqdn");
        assertThat(client.delete(migrationPath("fqdn-only-target", "by-fqdn")).state()).isEqualTo("Canceled");
    }

    @Test
    void noSecretAppearsInAnyResponseLogLineOrStoreFile() throws Exception {
        String planted = "Planted-S3cret-" + System.nanoTime();
        String path = migrationPath(TARGET, "secret1");
        String b = body(planted, false, "secretdb").replace("\"sslMode\": \"Prefer\"",
                "\"sslMode\": \"Prefer\", \"migrationWindowStartTimeInUtc\": \"" + later() + "\"");
        StringBuilder responses = new StringBuilder();
        responses.append(client.put(path, b).body());
        responses.append(client.get(path).body());
        responses.append(client.get(serverPath("flexibleServers", TARGET) + "/migrations?migrationListFilter=All").body());
        responses.append(client.patch(path, "{\"properties\": {\"secretParameters\": {\"adminCredentials\": "
                + "{\"sourceServerPassword\": \"" + planted + "-2\"}}}}").body());
        responses.append(client.put(path, b.replace("\"sslMode\"", "\"sslModeX\"")).body());
        responses.append(client.put(path, b.replace("\"" + planted + "\"", planted)).body());
        responses.append(client.delete(path).body());
        assertThat(responses.toString()).contains("secret1").doesNotContain(planted)
                .doesNotContain("adminCredentials");
        assertThat(TestStores.contents(dataDir)).contains("secret1").doesNotContain(planted);
        assertThat(Files.readString(Path.of("target/service-test.log"))).doesNotContain(planted);
    }

    @Test
    void metricsAndHealthAreServed() {
        Response health = client.raw("GET", "/healthz", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("UP");
        String node = health.json().path("node").asText();
        assertThat(node).as("the default node name: host name and a hash of the data dir").matches("[A-Za-z0-9._-]+-[0-9a-f]{8}");
        assertThat(health.json().path("leases").isArray()).isTrue();
        assertThat(health.json().path("storeLocation").asText()).isNotEmpty();
        Response metrics = client.raw("GET", "/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("pgmigrate_migrations{node=\"" + node + "\",state=\"InProgress\"}")
                .contains("pgmigrate_rows_copied_total").contains("pgmigrate_copy_bytes_per_second");
    }

    @Test
    void unknownRoutesAndMethodsAnswerInArmShape() {
        Response r = client.get("/subscriptions/x/nothing");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("NotFound");
        Response m = client.send("POST", migrationPath(TARGET, "x"), "{}");
        assertThat(m.status()).isEqualTo(405);
        assertThat(m.errorCode()).isEqualTo("MethodNotAllowed");
    }

    private static java.util.List<String> names(Response r) {
        java.util.List<String> names = new java.util.ArrayList<>();
        r.json().path("value").forEach(v -> names.add(v.path("name").asText()));
        return names;
    }
}
