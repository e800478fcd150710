package org.pgmigrate.service.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;
import static org.pgmigrate.service.ArmClient.serverPath;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.service.DataDirectory;
import org.pgmigrate.service.MigrationBodies;
import org.pgmigrate.service.ServiceConfig;
import org.pgmigrate.service.ServiceWiring;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * A target server's parameters ({@code flexibleServers/{server}/configurations}) as Azure's {@code az postgres
 * flexible-server parameter} sets them, and migrations honouring them: the statements both servers logged show text
 * COPY, a table split in parts and no ANALYZE when the parameters say so, and binary COPY and ANALYZE once they are
 * back to their defaults; the target's catalog shows no large object and no extension when the skip parameters say
 * so.
 */
@Timeout(300)
class ServerParametersIT {

    private static final String TARGET = "param-target";
    /** The statistics statements after a table's load: ANALYZE, or VACUUM (ANALYZE, ...) for larger tables. */
    private static final String AFTER_LOAD_STATISTICS = "(?i)(ANALYZE |VACUUM \\(ANALYZE)";
    private static final String CONFIGURATIONS = serverPath("flexibleServers", TARGET) + "/configurations";
    private static PgCluster source;
    private static PgCluster target;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("param-source").setting("log_statement", "all").start();
        target = PgCluster.builder().version(15).name("param-target").setting("log_statement", "all").start();
        for (String db : List.of("tuned", "plain")) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE wide (id int PRIMARY KEY, pad text);"
                    + " INSERT INTO wide SELECT g, repeat(md5(g::text), 16) FROM generate_series(1, 12000) g");
        }
        source.execute("postgres", "CREATE ROLE param_app_owner");
        source.execute("tuned", "CREATE TABLE app_owned (id int PRIMARY KEY); ALTER TABLE app_owned OWNER TO param_app_owner");
        dataDir = Files.createTempDirectory("pgmigrate-params-it");
        service = ServiceWiring.start(ServiceConfig.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
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
    }

    @Test
    void parametersAreListedSetCheckedAndResetAsArmConfigurations() {
        Response list = client.get(CONFIGURATIONS);
        assertThat(list.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        list.json().path("value").forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).contains("azure.migration_copy_with_binary", "azure.migration_table_split_size",
                "azure.migration_skip_analyze", "azure.migration_skip_large_objects", "azure.migration_skip_extensions",
                "azure.migration_skip_role_user", "pgmigrate.migration_table_jobs", "pgmigrate.migration_index_jobs");

        Response set = put("AZURE.Migration_Table_Split_Size", "{\"properties\": {\"value\": \"2048\", \"source\":"
                + " \"user-override\"}}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        JsonNode p = set.json().path("properties");
        assertThat(set.json().path("name").asText()).isEqualTo("azure.migration_table_split_size");
        assertThat(set.json().path("type").asText()).isEqualTo("Microsoft.DBforPostgreSQL/flexibleServers/configurations");
        assertThat(p.path("value").asText()).isEqualTo("2048");
        assertThat(p.path("source").asText()).isEqualTo("user-override");
        assertThat(p.path("defaultValue").asText()).isEqualTo("1024");
        assertThat(client.get(CONFIGURATIONS + "/azure.migration_table_split_size").json().path("properties")
                .path("value").asText()).isEqualTo("2048");

        // a PUT of the server itself keeps its parameters
        assertThat(client.registerServer("flexibleServers", TARGET, target.host(), target.port()).status()).isEqualTo(200);
        assertThat(client.get(CONFIGURATIONS + "/azure.migration_table_split_size").json().path("properties")
                .path("value").asText()).isEqualTo("2048");

        Response reset = put("azure.migration_table_split_size", "{\"properties\": {\"source\": \"system-default\"}}");
        assertThat(reset.json().path("properties").path("value").asText()).isEqualTo("1024");
        assertThat(reset.json().path("properties").path("source").asText()).isEqualTo("system-default");

        Response badValue = put("azure.migration_table_split_size", "{\"properties\": {\"value\": \"0\"}}");
        assertThat(badValue.status()).isEqualTo(400);
        assertThat(badValue.body()).contains("InvalidParameterValue").contains("'azure.migration_table_split_size'")
                .contains("an integer from 1 to 204800");
        Response badBool = put("azure.migration_skip_analyze", "{\"properties\": {\"value\": \"maybe\"}}");
        assertThat(badBool.status()).isEqualTo(400);
        assertThat(badBool.body()).contains("on, off");
        Response badSkip = put("azure.migration_skip_extensions", "{\"properties\": {\"value\": \"sometimes\"}}");
        assertThat(badSkip.status()).isEqualTo(400);
        assertThat(badSkip.body()).contains("'azure.migration_skip_extensions'").contains("on, off");
        Response unknown = client.get(CONFIGURATIONS + "/work_mem");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("ResourceNotFound").contains("azure.migration_copy_with_binary");
        Response noServer = client.get(serverPath("flexibleServers", "no-such-server") + "/configurations");
        assertThat(noServer.status()).isEqualTo(404);
    }

    @Test
    void aMigrationCopiesAsTheTargetsParametersSay() throws Exception {
        assertThat(put("azure.migration_copy_with_binary", "{\"properties\": {\"value\": \"off\"}}").status()).isEqualTo(200);
        assertThat(put("azure.migration_table_split_size", "{\"properties\": {\"value\": \"1\"}}").status()).isEqualTo(200);
        assertThat(put("azure.migration_skip_analyze", "{\"properties\": {\"value\": \"on\"}}").status()).isEqualTo(200);
        assertThat(put("azure.migration_skip_role_user", "{\"properties\": {\"value\": \"on\"}}").status()).isEqualTo(200);
        int sourceLog = source.serverLog().length();
        int targetLog = target.serverLog().length();
        Response tuned = migrate("tuned", true);
        // validation judged the migration that ran: roles left out by the parameter, which it names
        JsonNode ownership = tuned.json().path("properties").path("currentStatus").path("currentSubStateDetails")
                .path("validationDetails").path("dbLevelValidationDetails").get(0).path("summary");
        assertThat(ownership.toString()).contains("owned by roles other than the target user")
                .contains("Roles are not migrated (azure.migration_skip_role_user is on, which overrides migrateRoles)")
                .contains("set azure.migration_skip_role_user to off on the target server");
        String sourceStatements = source.serverLog().substring(sourceLog);
        String targetStatements = target.serverLog().substring(targetLog);
        assertThat(targetStatements).contains("FORMAT text").doesNotContain("FORMAT binary");
        assertThat(count(sourceStatements, "TO STDOUT")).as("the 6 MB table in 1 MB parts").isGreaterThan(2);
        assertThat(targetStatements).doesNotContainPattern(AFTER_LOAD_STATISTICS);
        try (Connection t = target.connect("postgres"); var rs = t.createStatement()
                .executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = 'param_app_owner'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("roles skipped despite migrateRoles").isZero();
        }

        for (String name : List.of("azure.migration_copy_with_binary", "azure.migration_table_split_size",
                "azure.migration_skip_analyze", "azure.migration_skip_role_user")) {
            assertThat(put(name, "{\"properties\": {\"source\": \"system-default\"}}").status()).isEqualTo(200);
        }
        sourceLog = source.serverLog().length();
        targetLog = target.serverLog().length();
        migrate("plain", false);
        targetStatements = target.serverLog().substring(targetLog);
        assertThat(targetStatements).contains("FORMAT binary").containsPattern(AFTER_LOAD_STATISTICS);
        assertThat(count(source.serverLog().substring(sourceLog), "TO STDOUT")).as("one part").isEqualTo(1);
    }

    /**
     * Both skip parameters on: the source's large objects are neither created nor copied on the target (its
     * pg_largeobject_metadata stays empty), its extension pg_trgm (which no object uses) is not created, and the
     * migration still succeeds with a verification that says what it left out and why. A database whose table uses
     * a skipped extension (citext), migrated without validation (which would refuse it), fails its schema restore
     * with a message naming the extension and the parameter.
     */
    @Test
    void skippedLargeObjectsAndExtensionsAreNotMigratedAndTheVerificationSaysSo() throws Exception {
        for (String db : List.of("skipping", "needs_citext")) {
            source.createDatabase(db);
        }
        source.execute("skipping", "CREATE EXTENSION pg_trgm; CREATE TABLE docs (id int PRIMARY KEY, body oid);"
                + " INSERT INTO docs SELECT g, pg_catalog.lo_from_bytea(0, pg_catalog.convert_to(repeat('x', g), 'UTF8'))"
                + " FROM generate_series(1, 3) g; SELECT pg_catalog.lo_from_bytea(900001, '\\x00');"
                + " COMMENT ON LARGE OBJECT 900001 IS 'a comment, which is left out with its object'");
        source.execute("needs_citext", "CREATE EXTENSION citext; CREATE TABLE people (email public.citext PRIMARY KEY);"
                + " INSERT INTO people VALUES ('a@example.com')");
        assertThat(count(source, "skipping", "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata")).isEqualTo(4);
        assertThat(put("azure.migration_skip_large_objects", "{\"properties\": {\"value\": \"ON\"}}").json()
                .path("properties").path("value").asText()).isEqualTo("on");
        assertThat(put("azure.migration_skip_extensions", "{\"properties\": {\"value\": \"true\"}}").json()
                .path("properties").path("value").asText()).isEqualTo("on");
        try {
            Response done = run("skipping");
            assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
            assertThat(count(target, "skipping", "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata"))
                    .as("no large object on the target").isZero();
            assertThat(count(target, "skipping", "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname ="
                    + " 'pg_trgm'")).as("pg_trgm not created").isZero();
            assertThat(count(target, "skipping", "SELECT count(*) FROM public.docs")).isEqualTo(3);
            JsonNode verification = done.json().path("properties").path("verificationDetails");
            assertThat(verification.path("status").asText()).isEqualTo("Succeeded");
            JsonNode db = verification.path("databases").get(0);
            assertThat(db.path("objectMismatches").size()).isZero();
            List<String> warnings = new ArrayList<>();
            db.path("warnings").forEach(w -> warnings.add(w.asText()));
            assertThat(warnings).contains("large objects were skipped (azure.migration_skip_large_objects is on) and"
                    + " not compared (source: 4; target: 0)", "extensions were skipped (azure.migration_skip_extensions"
                    + " is on) and not compared (source: plpgsql, pg_trgm; target: plpgsql)");

            // Validation would refuse it (ValidationIT); without validation the restore fails, as clearly.
            Response failed = run("needs_citext", "Migrate");
            assertThat(failed.state()).as(failed.body()).isEqualTo("Failed");
            assertThat(failed.body()).contains("citext").contains("azure.migration_skip_extensions is on")
                    .contains("lacks the source's extension citext");
        } finally {
            for (String name : List.of("azure.migration_skip_large_objects", "azure.migration_skip_extensions")) {
                assertThat(put(name, "{\"properties\": {\"source\": \"system-default\"}}").status()).isEqualTo(200);
            }
        }
    }

    private static Response run(String db) {
        return run(db, "ValidateAndMigrate");
    }

    private static Response run(String db, String option) {
        String path = migrationPath(TARGET, "params-" + db.replace('_', '-'));
        Response created = client.put(path, MigrationBodies.seedShape(source, target, source.password(), true, db)
                .replace("\"sslMode\": \"Prefer\"", "\"sslMode\": \"Prefer\", \"migrationOption\": \"" + option + "\""));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
    }

    private static long count(PgCluster cluster, String db, String sql) throws Exception {
        try (Connection c = cluster.connect(db); var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Response migrate(String db, boolean migrateRoles) throws Exception {
        String body = MigrationBodies.seedShape(source, target, source.password(), true, db);
        if (migrateRoles) {
            body = body.replace("\"sourceType\"", "\"migrateRoles\": \"True\", \"sourceType\"");
        }
        String path = migrationPath(TARGET, "params-" + db);
        Response created = client.put(path, body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response done = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            DatabaseComparer.assertEqual(s, t);
        }
        return done;
    }

    private static Response put(String name, String body) {
        return client.put(CONFIGURATIONS + "/" + name, body);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
