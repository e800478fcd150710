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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * What the verifications of an online migration say, through the REST API against real clusters: the check of the
 * base copy is labelled as such while changes are applied; a cutover while the source is still written ends
 * Succeeded with a warning that names the tables and sequences written after the end point (everything up to the
 * end point applied); a quiet cutover ends Succeeded without a warning; and a table that differs although nothing
 * was written to it on the source fails the database, naming it.
 */
@Timeout(600)
class CutoverVerificationIT {

    private static final String TARGET = "verify-target";
    private static PgCluster source;
    private static PgCluster target;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("cutover-verify-source").start();
        target = PgCluster.builder().version(15).name("cutover-verify-target").start();
        for (String db : List.of("busy", "quiet", "tampered")) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE public.orders (id bigserial PRIMARY KEY, note text); "
                    + "CREATE TABLE public.audit (id int PRIMARY KEY, line text); "
                    + "CREATE TABLE public.untouched (id int PRIMARY KEY); "
                    + "INSERT INTO public.orders (note) SELECT 'order ' || g FROM generate_series(1, 500) g; "
                    + "INSERT INTO public.audit SELECT g, 'line' FROM generate_series(1, 100) g; "
                    + "INSERT INTO public.untouched SELECT generate_series(1, 50)");
        }
        dataDir = Files.createTempDirectory("pgmigrate-cutover-verify-it");
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

    @Test
    void aCutoverWhileTheSourceIsWrittenSucceedsWithAWarningNamingWhatWasWrittenAfterTheEndPoint() throws Exception {
        String path = migrationPath(TARGET, "busy");
        assertThat(client.put(path, MigrationBodies.online(source, target, "Migrate", false, "busy")).status())
                .isEqualTo(201);
        Response waiting = awaitSubState(path, "WaitingForCutoverTrigger");
        JsonNode base = verification(waiting, "busy");
        assertThat(base.path("scope").asText()).as(waiting.body()).isEqualTo("BaseCopy");
        assertThat(base.path("status").asText()).isEqualTo("Succeeded");

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = source.connect("busy"); Statement s = c.createStatement()) {
                while (writing.get()) {
                    long n = written.incrementAndGet();
                    s.execute("INSERT INTO public.orders (note) VALUES ('late " + n + "'); "
                            + "UPDATE public.audit SET line = line || '.' WHERE id = " + (n % 100 + 1));
                    Thread.sleep(5); // pacing, so the load leaves the 2 cores to the migration
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }, "busy-writer");
        writer.start();
        Response ended;
        long lastIdBeforeTrigger;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > 50);
            lastIdBeforeTrigger = maxOrderId(source);
            Response triggered = client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}");
            assertThat(triggered.status()).as(triggered.body()).isEqualTo(200);
            ended = awaitEnd(path);
        } finally {
            writing.set(false);
            writer.join();
        }
        assertThat(failure.get()).isNull();

        assertThat(ended.state() + "/" + ended.subState()).as(ended.body()).isEqualTo("Succeeded/Completed");
        assertThat(ended.db("busy").path("migrationState").asText()).isEqualTo("Succeeded");
        assertThat(ended.db("busy").path("message").asText()).contains("Verified with a warning: the source changed "
                + "after the cutover's end point (see verificationDetails).");
        JsonNode after = verification(ended, "busy");
        assertThat(after.path("scope").asText()).isEqualTo("AfterCutover");
        assertThat(after.path("status").asText()).isEqualTo("Succeeded");
        assertThat(ended.json().path("properties").path("verificationDetails").path("status").asText())
                .isEqualTo("Succeeded");
        assertThat(after.path("warnings")).hasSize(1);
        String warning = after.path("warnings").get(0).asText();
        assertThat(warning).startsWith("The source changed after the cutover's end point: tables public.audit, "
                        + "public.orders and sequence public.orders_id_seq were written on the source after it.")
                .doesNotContain("untouched").doesNotContain("hash");
        assertThat(warning.split("The source changed", -1)).as("said once").hasSize(2);
        for (JsonNode table : after.path("tables")) {
            if (!table.path("equal").asBoolean()) {
                assertThat(table.path("message").asText()).endsWith("(written on the source after the cutover's end "
                        + "point)").doesNotContain("hash");
            }
        }
        // Everything committed before the cutover was triggered is on the target.
        try (Connection t = target.connect("busy"); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM public.orders WHERE id <= " + lastIdBeforeTrigger)) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(lastIdBeforeTrigger);
        }
    }

    @Test
    void aQuietCutoverSucceedsWithoutAWarning() throws Exception {
        String path = migrationPath(TARGET, "quiet");
        assertThat(client.put(path, MigrationBodies.online(source, target, "Migrate", false, "quiet")).status())
                .isEqualTo(201);
        awaitSubState(path, "WaitingForCutoverTrigger");
        source.execute("quiet", "INSERT INTO public.orders (note) VALUES ('during capture'); "
                + "UPDATE public.audit SET line = 'changed' WHERE id = 3");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path).db("quiet").path("appliedChanges").asLong() == 2);
        assertThat(client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);

        Response ended = awaitEnd(path);
        assertThat(ended.state()).as(ended.body()).isEqualTo("Succeeded");
        assertThat(ended.db("quiet").path("message").asText()).doesNotContain("warning");
        JsonNode after = verification(ended, "quiet");
        assertThat(after.path("scope").asText()).isEqualTo("AfterCutover");
        assertThat(after.path("warnings")).isEmpty();
        assertThat(after.path("tables")).allMatch(t -> t.path("equal").asBoolean());
    }

    @Test
    void aTableThatDiffersWithoutWritesOnTheSourceFailsTheDatabaseNamingIt() throws Exception {
        String path = migrationPath(TARGET, "tampered");
        assertThat(client.put(path, MigrationBodies.online(source, target, "Migrate", false, "tampered")).status())
                .isEqualTo(201);
        awaitSubState(path, "WaitingForCutoverTrigger");
        // Not through the source: replication has nothing to apply, so only the verification can find it.
        target.execute("tampered", "DELETE FROM public.untouched WHERE id = 7");
        assertThat(client.patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);

        Response ended = awaitEnd(path);
        assertThat(ended.state()).as(ended.body()).isEqualTo("Failed");
        String message = ended.db("tampered").path("message").asText();
        assertThat(message).isEqualTo("The cutover completed, but the verification after it found differences that "
                + "no write on the source after the cutover's end point explains: public.untouched: 50 rows on the "
                + "source, 49 on the target.");
        JsonNode after = verification(ended, "tampered");
        assertThat(after.path("status").asText()).isEqualTo("Failed");
        assertThat(after.path("warnings")).isEmpty();
    }

    private static long maxOrderId(PgCluster cluster) throws SQLException {
        try (Connection c = cluster.connect("busy"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(id) FROM public.orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static JsonNode verification(Response r, String db) {
        List<JsonNode> found = new ArrayList<>();
        r.json().path("properties").path("verificationDetails").path("databases").forEach(d -> {
            if (d.path("databaseName").asText().equals(db)) {
                found.add(d);
            }
        });
        assertThat(found).as(r.body()).hasSize(1);
        return found.get(0);
    }

    private static Response awaitSubState(String path, String subState) {
        Response r = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), x -> x.subState().equals(subState) || !x.json().path("properties")
                        .path("currentStatus").path("state").asText().matches("InProgress|WaitingForUserAction"));
        assertThat(r.subState()).as(r.body()).isEqualTo(subState);
        return r;
    }

    private static Response awaitEnd(String path) {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(path), r -> r.state().matches("Succeeded|Failed|Canceled|ValidationFailed"));
    }
}
