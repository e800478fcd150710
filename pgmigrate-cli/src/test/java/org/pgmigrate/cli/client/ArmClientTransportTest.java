package org.pgmigrate.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.ExitCode;

/**
 * Transport only: the token header, the pinned certificate, how ARM errors and an absent service are reported.
 * The server here is a script, not the service; what the commands do is tested against the real service.
 */
@Timeout(60)
class ArmClientTransportTest {

    static final String TOKEN = "tok-4f1c9e-secret";

    @TempDir
    static Path keys;

    static TlsTestServer.Identity serviceIdentity;
    static TlsTestServer.Identity impostorIdentity;
    static TlsTestServer server;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startServer() throws Exception {
        serviceIdentity = TlsTestServer.Identity.generate(keys, "service");
        impostorIdentity = TlsTestServer.Identity.generate(keys, "impostor");
        server = new TlsTestServer(serviceIdentity);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void writeDataDir() throws IOException {
        Files.writeString(dataDir.resolve("endpoint"), server.baseUrl() + "\n");
        Files.writeString(dataDir.resolve("token"), TOKEN + "\n");
        Files.createDirectories(dataDir.resolve("tls"));
        Files.copy(serviceIdentity.certificatePem(), dataDir.resolve("tls/server.crt"));
        server.requests().clear();
    }

    @Test
    void sendsTheDataDirsTokenToTheArmPathWithTheApiVersion() {
        server.answer(r -> new TlsTestServer.Answer(200, "{\"name\":\"m1\",\"properties\":{}}"));

        CliRun run = CliRun.in(dataDir, "migration", "show", "--subscription", "sub-1", "-g", "rg", "-n", "target",
                "--migration-name", "m1");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.OK);
        TlsTestServer.Request request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.pathAndQuery()).isEqualTo("/subscriptions/sub-1/resourceGroups/rg/providers/"
                + "Microsoft.DBforPostgreSQL/flexibleServers/target/migrations/m1?api-version=2025-08-01");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(run.out()).contains("\"name\": \"m1\"");
    }

    @Test
    void aNameCannotReachAnotherResourcesPath() {
        server.answer(r -> new TlsTestServer.Answer(200, "{}"));

        CliRun.in(dataDir, "migration", "show", "-g", "rg", "-n", "target", "--migration-name", "../../x y");

        assertThat(server.requests().get(0).pathAndQuery())
                .contains("/flexibleServers/target/migrations/..%2F..%2Fx%20y?api-version=");
    }

    @Test
    void aServiceWithAnotherCertificateIsRefused() throws Exception {
        try (TlsTestServer impostor = new TlsTestServer(impostorIdentity)) {
            Files.writeString(dataDir.resolve("endpoint"), impostor.baseUrl());

            CliRun run = CliRun.in(dataDir, "migration", "show", "-g", "rg", "-n", "target", "--migration-name", "m1");

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.FAILED);
            assertThat(run.err()).contains("TLS with the service at " + impostor.baseUrl() + " failed")
                    .contains(dataDir.resolve("tls/server.crt").toString());
            assertThat(impostor.requests()).as("no request, so no token, reached the impostor").isEmpty();
        }
    }

    @Test
    void withoutTheDataDirCertificateTheSelfSignedServiceIsNotTrusted() throws IOException {
        Files.delete(dataDir.resolve("tls/server.crt"));

        CliRun run = CliRun.in(dataDir, "migration", "show", "-g", "rg", "-n", "target", "--migration-name", "m1");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).contains("TLS with the service").contains("system's certificate authorities");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anArmClientErrorPrintsItsMessageWithoutATraceAndExitsAsInvalidInput() {
        server.answer(r -> new TlsTestServer.Answer(400, """
                {"error":{"code":"InvalidMigrationName","message":"Migration name '-bad' is invalid.",
                 "details":[{"code":"x","message":"Use letters, digits and hyphens."}]}}"""));

        CliRun run = CliRun.in(dataDir, "migration", "show", "-g", "rg", "-n", "target", "--migration-name", "-bad");

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).startsWith("ERROR: (InvalidMigrationName) Migration name '-bad' is invalid.")
                .contains("Use letters, digits and hyphens.")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void aServerErrorExitsAsFailed() {
        server.answer(r -> new TlsTestServer.Answer(500, "{\"error\":{\"code\":\"InternalServerError\","
                + "\"message\":\"The store is read-only.\"}}"));

        CliRun run = CliRun.in(dataDir, "migration", "list", "-g", "rg", "-n", "target");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).contains("(InternalServerError) The store is read-only.");
    }

    @Test
    void anAnswerThatIsNotArmJsonIsQuoted() {
        server.answer(r -> new TlsTestServer.Answer(502, "<html>Bad Gateway</html>"));

        CliRun run = CliRun.in(dataDir, "migration", "list", "-g", "rg", "-n", "target");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).contains("HTTP 502").contains("<html>Bad Gateway</html>");
    }

    @Test
    void aRefusedTokenSaysWhereTheTokenCameFromButNeverPrintsIt() {
        server.answer(r -> new TlsTestServer.Answer(401, "{\"error\":{\"code\":\"AuthenticationFailed\","
                + "\"message\":\"The bearer token is missing or wrong.\"}}"));

        CliRun run = CliRun.in(dataDir, "migration", "list", "-g", "rg", "-n", "target");

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).contains("The bearer token is missing or wrong.")
                .contains(dataDir.resolve("token").toString())
                .doesNotContain(TOKEN);
    }

    @Test
    void nothingListeningMeansTheServiceIsNotRunningAndSaysHowToStartIt() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Files.writeString(dataDir.resolve("endpoint"), "https://127.0.0.1:" + closedPort);

        CliRun run = CliRun.in(dataDir, "migration", "list", "-g", "rg", "-n", "target");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).contains("The pgmigrate service is not running")
                .contains("nothing answers at https://127.0.0.1:" + closedPort)
                .contains("pgmigrate serve --data-dir " + dataDir.toAbsolutePath());
    }

    @Test
    void noEndpointFileMeansTheServiceWasNeverStartedWithThisDataDir() throws IOException {
        Files.delete(dataDir.resolve("endpoint"));

        CliRun run = CliRun.in(dataDir, "server", "list", "-g", "rg");

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).contains("The pgmigrate service is not running (there is no endpoint file")
                .contains("pgmigrate serve");
    }

    @Test
    void listFollowsNextLinkOnTheSameServiceOnly() {
        server.answer(r -> r.pathAndQuery().contains("page=2")
                ? new TlsTestServer.Answer(200, "{\"value\":[{\"name\":\"m2\"}]}")
                : new TlsTestServer.Answer(200, "{\"value\":[{\"name\":\"m1\"}],\"nextLink\":\"" + server.baseUrl()
                        + "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/"
                        + "target/migrations?api-version=2025-08-01&page=2\"}"));

        CliRun run = CliRun.in(dataDir, "migration", "list", "-g", "rg", "-n", "target", "--filter", "All");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains("\"m1\"").contains("\"m2\"");
        assertThat(server.requests().get(0).pathAndQuery()).endsWith("?api-version=2025-08-01&migrationListFilter=All");

        server.answer(r -> new TlsTestServer.Answer(200, "{\"value\":[],\"nextLink\":\"https://elsewhere.example:443/x\"}"));
        CliRun elsewhere = CliRun.in(dataDir, "migration", "list", "-g", "rg", "-n", "target");
        assertThat(elsewhere.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(elsewhere.err()).contains("refusing to send the token there");
    }

    @Test
    void requestBodiesAreJsonAndPatchIsSentAsPatch() {
        server.answer(r -> new TlsTestServer.Answer(200, "{\"name\":\"m1\",\"properties\":{}}"));

        CliRun run = CliRun.in(dataDir, "migration", "update", "-g", "rg", "-n", "target", "--migration-name", "m1",
                "--setup-replication");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.OK);
        TlsTestServer.Request patch = server.requests().get(0);
        assertThat(patch.method()).isEqualTo("PATCH");
        assertThat(patch.header("Content-Type")).isEqualTo("application/json");
        assertThat(patch.body()).isEqualTo("{\"properties\":{\"setupLogicalReplicationOnSourceDbIfNeeded\":\"True\"}}");
    }
}
