package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;
import static org.pgmigrate.service.ArmClient.serverPath;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
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
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * The REST API as Azure's specification has it, against a real service and real clusters: lists page with
 * {@code nextLink}, DELETE follows the requested api-version, {@code sourceType} decides the source's default sslmode,
 * and {@code sourceDbServerMetadata}/{@code targetDbServerMetadata} say what the servers told.
 */
@Timeout(300)
class ArmSpecIT {

    private static final String TARGET = "spectarget";
    private static PgCluster source;
    private static PgCluster target;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("spec-source").start();
        target = PgCluster.builder().version(15).name("spec-target").start();
        for (String db : new String[] {"present", "cancelme", "deleteme"}) {
            source.createDatabase(db);
        }
        target.createDatabase("present");
        dataDir = Files.createTempDirectory("pgmigrate-spec-it");
        service = ServiceWiring.start(ServiceConfig.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));
        client = new ArmClient(dataDir);
        assertThat(client.put(serverPath("flexibleServers", TARGET), "{\"location\": \"northeurope\", \"properties\": "
                + "{\"fullyQualifiedDomainName\": \"" + target.host() + "\", \"port\": " + target.port() + "}}")
                .status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        for (PgCluster cluster : new PgCluster[] {source, target}) {
            if (cluster != null) {
                cluster.close();
            }
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A migration without dbsToMigrate: it waits for them, active, and never touches a server. */
    private static String idle() {
        return """
                { "properties": { "sourceDbServerResourceId": "%s:%d@%s", "sourceType": "OnPremises",
                    "secretParameters": { "adminCredentials": { "sourceServerPassword": "%s", "targetServerPassword": "%s" },
                      "targetServerUserName": "%s" } } }"""
                .formatted(source.host(), source.port(), source.superuser(), source.password(), target.password(),
                        target.superuser());
    }

    private static String migrationsOf(String server) {
        return serverPath("flexibleServers", server) + "/migrations";
    }

    /** GET of an absolute nextLink, as an SDK follows it: as it is, no api-version added. */
    private static Response follow(String nextLink) {
        URI link = URI.create(nextLink);
        assertThat(link.getScheme() + "://" + link.getAuthority()).isEqualTo(client.endpoint());
        return client.raw("GET", link.getRawPath() + "?" + link.getRawQuery(), null);
    }

    private static List<String> names(Response page) {
        List<String> names = new ArrayList<>();
        page.json().path("value").forEach(m -> names.add(m.path("name").asText()));
        return names;
    }

    @Test
    void listsPageWithNextLinkAndNoneIsSkippedOrRepeatedWhenTheListChangesBetweenPages() {
        String server = "pagedserver";
        assertThat(client.registerServer("flexibleServers", server, target.host(), target.port()).status()).isEqualTo(201);
        for (int i = 1; i <= 5; i++) {
            assertThat(client.put(migrationPath(server, "page" + i), idle()).status()).isEqualTo(201);
        }

        Response first = client.get(migrationsOf(server) + "?$top=2&migrationListFilter=All");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(names(first)).containsExactly("page1", "page2");
        String nextLink = first.json().path("nextLink").asText();
        assertThat(nextLink).startsWith(client.endpoint() + migrationsOf(server) + "?")
                .contains("api-version=" + ArmClient.API).contains("migrationListFilter=All").contains("%24top=2");

        // between pages: one already listed goes, one new comes
        assertThat(new ArmClient(dataDir).withApiVersion("2024-08-01").delete(migrationPath(server, "page1")).status())
                .isEqualTo(200);
        assertThat(client.put(migrationPath(server, "page6"), idle()).status()).isEqualTo(201);

        List<String> rest = new ArrayList<>();
        Response page = follow(nextLink);
        int pages = 1;
        while (true) {
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            pages++;
            rest.addAll(names(page));
            if (!page.json().has("nextLink")) {
                break;
            }
            page = follow(page.json().path("nextLink").asText());
        }
        assertThat(rest).containsExactly("page3", "page4", "page5", "page6");
        assertThat(pages).isEqualTo(3);

        Response whole = client.get(migrationsOf(server));
        assertThat(names(whole)).containsExactly("page2", "page3", "page4", "page5", "page6");
        assertThat(whole.json().has("nextLink")).as("one page of up to 100 holds them all").isFalse();

        Response servers = client.get(serverPath("flexibleServers", "") + "?$top=1");
        assertThat(servers.json().path("value")).hasSize(1);
        Response secondServer = follow(servers.json().path("nextLink").asText());
        assertThat(secondServer.json().path("value")).hasSize(1);
        assertThat(secondServer.json().path("value").get(0).path("name").asText())
                .isNotEqualTo(servers.json().path("value").get(0).path("name").asText());
    }

    @Test
    void aBadPageRequestNamesTheParameter() {
        Response zero = client.get(migrationsOf(TARGET) + "?$top=0");
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.errorCode()).isEqualTo("InvalidParameterValue");
        assertThat(zero.errorMessage()).contains("$top must be a number of items from 1 to 1000, was '0'");
        Response token = client.get(migrationsOf(TARGET) + "?%24skipToken=%25%25not-ours");
        assertThat(token.status()).isEqualTo(400);
        assertThat(token.json().path("error").path("target").asText()).isEqualTo("$skipToken");
        assertThat(token.errorMessage()).contains("Follow the nextLink of the previous page as it is");
    }

    @Test
    void deleteIsMigrationsCancelFrom2025x06AndMigrationsDeleteBefore() {
        String path = migrationPath(TARGET, "cancelonly");
        assertThat(client.put(path, idle()).status()).isEqualTo(201);
        for (String version : new String[] {"2025-08-01", "2025-06-01-preview", "2026-01-01-preview"}) {
            Response canceled = new ArmClient(dataDir).withApiVersion(version).delete(path);
            assertThat(canceled.status()).as(version + ": " + canceled.body()).isEqualTo(200);
            assertThat(canceled.state()).as(version).isEqualTo("Canceled");
            assertThat(client.get(path).status()).as(version + " keeps the record").isEqualTo(200);
        }
        Response absent = client.delete(migrationPath(TARGET, "neverwas"));
        assertThat(absent.status()).isEqualTo(204);
        assertThat(absent.body()).isEmpty();

        Response deleted = new ArmClient(dataDir).withApiVersion("2025-01-01-preview").delete(path);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body()).as("Migrations_Delete answers without a body").isEmpty();
        assertThat(client.get(path).status()).isEqualTo(404);
        assertThat(new ArmClient(dataDir).withApiVersion("2022-05-01-preview").delete(path).status()).isEqualTo(204);
    }

    @Test
    void aSingleServerSourceIsReachedWithVerifyFullUnlessTheMigrationSaysOtherwise() {
        assertThat(client.put(serverPath("servers", "singlesrc"), "{\"location\": \"westeurope\", \"properties\": "
                + "{\"fullyQualifiedDomainName\": \"" + source.host() + "\", \"port\": " + source.port() + "}}")
                .status()).isEqualTo(201);
        String body = """
                { "properties": {
                    "sourceDbServerResourceId": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.DBforPostgreSQL/servers/singlesrc",
                    "sourceType": "PostgreSQLSingleServer", "migrationOption": "Migrate", %s
                    "secretParameters": { "adminCredentials": { "sourceServerPassword": "%s", "targetServerPassword": "%s" },
                      "sourceServerUserName": "%s@singlesrc", "targetServerUserName": "%s" },
                    "dbsToMigrate": ["present"], "overwriteDbsInTarget": "false" } }""";
        Response strict = client.put(migrationPath(TARGET, "singledefault"), body.formatted(ArmClient.SUB, ArmClient.RG,
                "", source.password(), target.password(), source.superuser(), target.superuser()));
        assertThat(strict.status()).as(strict.body()).isEqualTo(201);
        Response failed = awaitState("singledefault", "Failed");
        assertThat(failed.json().path("properties").path("currentStatus").path("error").asText())
                .as("the test cluster has no SSL, and VerifyFull needs it")
                .contains("does not accept SSL connections, and sslmode verify-full requires them");
        assertThat(failed.json().path("properties").has("sourceDbServerMetadata")).isFalse();

        Response relaxed = client.put(migrationPath(TARGET, "singleprefer"), body.formatted(ArmClient.SUB, ArmClient.RG,
                "\"sslMode\": \"Prefer\",", source.password(), target.password(), source.superuser(),
                target.superuser()));
        assertThat(relaxed.status()).as(relaxed.body()).isEqualTo(201);
        Response waiting = awaitState("singleprefer", "WaitingForUserAction");
        assertThat(waiting.subState()).isEqualTo("WaitingForTargetDBOverwriteConfirmation");

        JsonNode sourceMeta = waiting.json().path("properties").path("sourceDbServerMetadata");
        JsonNode targetMeta = waiting.json().path("properties").path("targetDbServerMetadata");
        assertThat(sourceMeta.path("version").asText()).as("the major version, as the spec says").isEqualTo("15");
        assertThat(serverVersion(source)).startsWith("15.");
        assertThat(sourceMeta.path("location").asText()).isEqualTo("westeurope");
        assertThat(sourceMeta.path("storageMb").asLong()).isCloseTo(storageMb(source), org.assertj.core.data.Offset.offset(2L))
                .isPositive();
        assertThat(targetMeta.path("version").asText()).isEqualTo("15");
        assertThat(targetMeta.path("location").asText()).isEqualTo("northeurope");
        assertThat(targetMeta.path("storageMb").asLong()).isCloseTo(storageMb(target), org.assertj.core.data.Offset.offset(2L));
        assertThat(client.delete(migrationPath(TARGET, "singleprefer")).state()).isEqualTo("Canceled");
    }

    @Test
    void aSingleServerSourceGivenAsHostPortUserIsRefusedNamingTheProperty() {
        Response r = client.put(migrationPath(TARGET, "singlebyhost"),
                idle().replace("\"OnPremises\"", "\"PostgreSQLSingleServer\""));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("InvalidParameterValue");
        assertThat(r.json().path("error").path("target").asText()).isEqualTo("properties.sourceDbServerResourceId");
        assertThat(r.errorMessage()).contains("sourceType PostgreSQLSingleServer needs sourceDbServerResourceId to be "
                + "the resource ID of a single server");
    }

    private static Response awaitState(String migration, String state) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(migrationPath(TARGET, migration)), r -> r.state().equals(state));
    }

    private static String serverVersion(PgCluster cluster) {
        return query(cluster, "SELECT current_setting('server_version')");
    }

    private static long storageMb(PgCluster cluster) {
        long bytes = Long.parseLong(query(cluster, "SELECT sum(pg_database_size(oid))::int8 FROM pg_database"));
        return (bytes + (1 << 20) - 1) >> 20;
    }

    private static String query(PgCluster cluster, String sql) {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
