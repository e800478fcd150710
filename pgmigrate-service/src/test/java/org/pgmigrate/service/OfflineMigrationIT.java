package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;
import static org.pgmigrate.service.ArmClient.serverPath;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

/** Real offline migrations through the REST API, from PostgreSQL 13 to 16, proven with the testkit's comparer. */
@Timeout(600)
class OfflineMigrationIT {

    private static final String TARGET = "flex-target";
    private static PgCluster source;
    private static PgCluster target;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(13).name("offline-source").start();
        target = PgCluster.builder().version(16).name("offline-target").start();
        source.createDatabase("shop");
        try (Connection c = source.connect("shop")) {
            SampleDatabase.load(c, 2000);
        }
        source.createDatabase("crm");
        source.execute("crm", "CREATE TABLE contacts (id bigint PRIMARY KEY, name text, note text); "
                + "INSERT INTO contacts SELECT g, 'name ' || g, md5(g::text) FROM generate_series(1, 20000) g; "
                + "CREATE TABLE no_key (v text); INSERT INTO no_key SELECT md5(g::text) FROM generate_series(1, 5000) g");
        source.createDatabase("crm2");
        source.execute("crm2", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        dataDir = Files.createTempDirectory("pgmigrate-offline-it");
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

    @Test
    void theSeedsOfflineWalkThroughMigratesAndProvesTheData() throws Exception {
        String path = migrationPath(TARGET, "migration1");
        Response created = client.put(path, MigrationBodies.seedShape(source, target, source.password(), true, "shop", "crm"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.state()).isEqualTo("InProgress");
        assertThat(created.subState()).isEqualTo("PerformingPreRequisiteSteps");
        assertThat(created.body()).doesNotContain(source.password()).doesNotContain(target.password());
        assertThat(names(client.get(serverPath("flexibleServers", TARGET) + "/migrations"))).contains("migration1");

        Set<String> seen = new LinkedHashSet<>();
        Response done = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Response r = client.get(path);
                    seen.add(r.state() + "/" + r.subState());
                    return r;
                }, r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        assertThat(done.subState()).isEqualTo("Completed");
        assertThat(seen).contains("InProgress/MigratingData");
        for (String db : List.of("shop", "crm")) {
            JsonNode d = done.db(db);
            assertThat(d.path("migrationState").asText()).as(db).isEqualTo("Succeeded");
            assertThat(d.path("fullLoadCompletedTables").asLong()).as(db).isGreaterThan(0);
            assertThat(d.path("fullLoadQueuedTables").asLong()).isZero();
            assertThat(d.path("fullLoadLoadingTables").asLong()).isZero();
            assertThat(d.path("fullLoadErroredTables").asLong()).isZero();
            assertThat(d.path("copiedRows").asLong()).isGreaterThan(0);
            // A finished copy reads 100%: the estimated total became the bytes actually copied.
            assertThat(d.path("copiedBytes").asLong()).as(db).isPositive().isEqualTo(d.path("totalBytes").asLong());
            assertThat(d.path("startedOn").asText()).isNotEmpty();
            assertThat(d.path("endedOn").asText()).isNotEmpty();
        }
        assertThat(done.db("crm").path("copiedRows").asLong()).isEqualTo(25000);
        // Each database's files went with it, and the migration's folder with them: no empty folder is left.
        String migrationId = done.json().path("properties").path("migrationId").asText();
        assertThat(migrationId).isNotEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(dataDir.resolve("work").resolve(migrationId)).doesNotExist());
        assertThat(done.json().path("properties").path("verificationDetails").path("status").asText()).isEqualTo("Succeeded");
        assertThat(done.json().path("properties").path("sourceDbServerMetadata").path("version").asText()).startsWith("13");
        assertThat(done.json().path("properties").path("targetDbServerMetadata").path("version").asText()).startsWith("16");

        assertThat(names(client.get(serverPath("flexibleServers", TARGET) + "/migrations?migrationListFilter=Active")))
                .doesNotContain("migration1");
        assertThat(names(client.get(serverPath("flexibleServers", TARGET) + "/migrations?migrationListFilter=All")))
                .contains("migration1");
        for (String db : List.of("shop", "crm")) {
            try (Connection s = source.connect(db); Connection t = target.connect(db)) {
                assertThat(DatabaseComparer.differences(s, t)).as(db).isEmpty();
            }
        }
        Response metrics = client.raw("GET", "/metrics", null);
        assertThat(metrics.body()).containsPattern("pgmigrate_migrations\\{node=\"[^\"]+\",state=\"Succeeded\"\\}");
        assertThat(value(metrics.body(), "pgmigrate_rows_copied_total")).isGreaterThanOrEqualTo(25000);
        Response cancelDone = client.patch(path, "{\"properties\": {\"cancel\": \"True\"}}");
        assertThat(cancelDone.status()).isEqualTo(409);
        assertThat(Files.readString(Path.of("target/service-test.log")))
                .doesNotContain(source.password()).doesNotContain(target.password());
        assertThat(TestStores.contents(dataDir)).contains("migration1").doesNotContain(source.password())
                .doesNotContain(target.password());
    }

    @Test
    void theFiltersPropertyChoosesTheTablesAndIsShownBack() throws Exception {
        source.createDatabase("filtered");
        source.execute("filtered", "CREATE TABLE kept (id int PRIMARY KEY); INSERT INTO kept SELECT generate_series(1, 50);"
                + " CREATE TABLE log (id int PRIMARY KEY); INSERT INTO log SELECT generate_series(1, 20);"
                + " CREATE TABLE \"Skipped\" (id int); INSERT INTO \"Skipped\" SELECT generate_series(1, 10)");
        String body = MigrationBodies.seedShape(source, target, source.password(), true, "filtered");
        String withFilters = body.replace("\"sslMode\": \"Prefer\"", "\"sslMode\": \"Prefer\", \"filters\": {"
                + "\"excludeTables\": [\"public.\\\"Skipped\\\"\"], \"excludeTableData\": [\"public.log\"]}");
        assertThat(withFilters).isNotEqualTo(body);

        Response badKey = client.put(migrationPath(TARGET, "filters-bad-key"), body.replace("\"sslMode\": \"Prefer\"",
                "\"sslMode\": \"Prefer\", \"filters\": {\"excludeTable\": [\"public.log\"]}"));
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.body()).contains("filters.excludeTable");
        Response badName = client.put(migrationPath(TARGET, "filters-bad-name"), body.replace("\"sslMode\": \"Prefer\"",
                "\"sslMode\": \"Prefer\", \"filters\": {\"includeTables\": [\"log\"]}"));
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.body()).contains("properties.filters.includeTables").contains("must be schema.table");
        assertThat(client.get(migrationPath(TARGET, "filters-bad-key")).status()).isEqualTo(404);

        String path = migrationPath(TARGET, "filtered1");
        Response created = client.put(path, withFilters);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response done = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        JsonNode filters = done.json().path("properties").path("filters");
        assertThat(filters.path("excludeTables").get(0).asText()).isEqualTo("public.\"Skipped\"");
        assertThat(filters.path("excludeTableData").get(0).asText()).isEqualTo("public.log");
        assertThat(done.db("filtered").path("copiedRows").asLong()).isEqualTo(50);
        try (Connection t = target.connect("filtered"); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM public.kept), (SELECT count(*) FROM public.log),"
                     + " (SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'Skipped')")) {
            rs.next();
            assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).containsExactly(50L, 0L, 0L);
        }
    }

    @Test
    void overwriteConfirmationWaitsAndThenReplacesTheTargetDatabase() throws Exception {
        target.createDatabase("crm2");
        target.execute("crm2", "CREATE TABLE stale (x int)");
        String path = migrationPath(TARGET, "overwrite1");
        assertThat(client.put(path, MigrationBodies.seedShape(source, target, source.password(), false, "crm2")).status())
                .isEqualTo(201);
        Response waiting = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.state().equals("WaitingForUserAction"));
        assertThat(waiting.subState()).isEqualTo("WaitingForTargetDBOverwriteConfirmation");
        Response confirmed = client.patch(path, "{\"properties\": {\"overwriteDbsInTarget\": \"True\"}}");
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.state()).isEqualTo("InProgress");
        Response done = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        try (Connection s = source.connect("crm2"); Connection t = target.connect("crm2")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
    }

    @Test
    void cancelDuringTheCopyStopsAndLeavesTheTargetAsItIs() throws Exception {
        // loaded here, not for the whole class: only this test needs a copy that lasts, and a run of the other
        // tests alone (the PostgreSQL store's pass picks one) does not pay for it
        source.createDatabase("big");
        source.execute("big", "CREATE TABLE events (id bigint, payload text, at timestamptz DEFAULT now()); "
                + "INSERT INTO events SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 1500000) g");
        String path = migrationPath(TARGET, "cancel-big");
        assertThat(client.put(path, MigrationBodies.seedShape(source, target, source.password(), true, "big")).status())
                .isEqualTo(201);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> client.get(path), r -> r.db("big").path("copiedRows").asLong() > 0);
        Response canceling = client.patch(path, "{\"properties\": {\"cancel\": \"True\", \"dbsToCancelMigrationOn\": [\"big\"]}}");
        assertThat(canceling.status()).as(canceling.body()).isEqualTo(200);
        Response canceled = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress"));
        assertThat(canceled.state()).as(canceled.body()).isEqualTo("Canceled");
        assertThat(canceled.subState()).isEqualTo("Completed");
        assertThat(canceled.db("big").path("migrationState").asText()).isEqualTo("Canceled");
        assertThat(canceled.db("big").path("message").asText()).contains("does not drop or roll back");
        try (Connection t = target.connect("big"); Statement s = t.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class WHERE relname = 'events'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the canceled migration's target database is left in place").isEqualTo(1);
        }
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'pgmigrate%'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("no pgmigrate session left on the source").isZero();
        }
    }

    private static double value(String prometheus, String metric) {
        for (String line : prometheus.split("\n")) {
            // every metric carries the node's name: metric{node="..."} value
            if (line.startsWith(metric + "{node=")) {
                return Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim());
            }
        }
        throw new AssertionError("no " + metric + " in " + prometheus);
    }

    private static List<String> names(Response r) {
        List<String> names = new ArrayList<>();
        r.json().path("value").forEach(v -> names.add(v.path("name").asText()));
        return names;
    }
}
