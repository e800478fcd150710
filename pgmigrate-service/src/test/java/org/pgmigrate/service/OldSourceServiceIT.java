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
import java.util.Comparator;
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
 * A PostgreSQL 9.6 source through the service, into 15: offline it migrates; online (9.6 has no pgoutput) it is
 * refused by validation, and, when validation is skipped, by the prerequisites, before anything is written on either
 * server.
 */
@Timeout(300)
class OldSourceServiceIT {

    @RegisterExtension
    static final ClusterPair CLUSTERS = ClusterPair.of(
            PgCluster.builder().version(96).name("old-service-source"), PgCluster.builder().version(15).name("old-service-target"));

    private static final String TARGET = "old-source-target";
    private static final String NO_PGOUTPUT = "Online migration from the source %s is not possible: PostgreSQL 9.6 has"
            + " no pgoutput (logical replication came with 10): migrate it offline, or upgrade the source to 10+ first.";
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        PgCluster source = CLUSTERS.source();
        for (String db : new String[] {"offline", "online", "validated"}) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE customers (id serial PRIMARY KEY, name text, tags text[], seen timestamptz);"
                    + " INSERT INTO customers (name, tags, seen) SELECT 'customer ' || g, ARRAY['t' || g % 3],"
                    + " timestamptz '2020-01-01 00:00+00' + g * interval '1 hour' FROM generate_series(1, 500) g");
        }
        dataDir = Files.createTempDirectory("pgmigrate-old-source-it");
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
        if (dataDir != null) {
            try (Stream<Path> walk = Files.walk(dataDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void anOfflineMigrationFrom96Succeeds() throws Exception {
        String path = migrationPath(TARGET, "old-offline");
        String body = MigrationBodies.seedShape(CLUSTERS.source(), CLUSTERS.target(), CLUSTERS.source().password(), true,
                "offline");
        assertThat(client.put(path, body).status()).isEqualTo(201);

        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
        assertThat(done.json().path("properties").path("sourceDbServerMetadata").path("version").asText()).isEqualTo("9.6"); // the major, as the spec defines it
        try (Connection s = CLUSTERS.source().connect("offline"); Connection t = CLUSTERS.target().connect("offline")) {
            assertThat(DatabaseComparer.differences(s, t)).isEmpty();
        }
    }

    @Test
    void validationRefusesAnOnlineMigrationFrom96AndNothingIsWritten() throws Exception {
        String path = migrationPath(TARGET, "old-online-validated");
        assertThat(client.put(path, MigrationBodies.online(CLUSTERS.source(), CLUSTERS.target(), "ValidateAndMigrate",
                true, "validated")).status()).isEqualTo(201);

        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("ValidationFailed");
        JsonNode version = ValidationIT.item(ValidationIT.validation(done).path("serverLevelValidationDetails"),
                "SourceVersionValidation");
        assertThat(version.path("state").asText()).isEqualTo("Failed");
        assertThat(version.path("messages").toString()).contains("PostgreSQL 9.6 has no pgoutput")
                .contains("migrate it offline, or upgrade the source to 10+ first");
        assertNothingWritten("validated");
    }

    @Test
    void withoutValidationTheOnlineMigrationFrom96FailsBeforeAnythingIsWritten() throws Exception {
        String path = migrationPath(TARGET, "old-online");
        assertThat(client.put(path, MigrationBodies.online(CLUSTERS.source(), CLUSTERS.target(), "Migrate", true,
                "online")).status()).isEqualTo(201);

        Response done = awaitEnd(path);
        assertThat(done.state()).as(done.body()).isEqualTo("Failed");
        assertThat(done.json().path("properties").path("currentStatus").path("error").asText())
                .contains(NO_PGOUTPUT.formatted(CLUSTERS.source().host() + ":" + CLUSTERS.source().port()));
        assertNothingWritten("online");
    }

    private static void assertNothingWritten(String db) throws SQLException {
        assertThat(count(CLUSTERS.target(), "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'")).isZero();
        assertThat(count(CLUSTERS.source(), "SELECT count(*) FROM pg_replication_slots")).isZero();
        assertThat(count(CLUSTERS.source(), "SELECT count(*) FROM pg_file_settings WHERE sourcefile LIKE '%auto.conf'"))
                .as("no ALTER SYSTEM on the source").isZero();
    }

    private static long count(PgCluster cluster, String sql) throws SQLException {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Response awaitEnd(String path) {
        return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> !r.state().equals("InProgress") && !r.state().isEmpty());
    }
}
