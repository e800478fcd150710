package org.pgmigrate.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.Main;
import org.pgmigrate.cli.client.CliRun;
import org.pgmigrate.cli.config.DataDir;
import org.pgmigrate.cli.config.Environment;
import picocli.CommandLine;

/** {@code pgmigrate serve} as a user runs it: its own process, its files, a request, SIGTERM, and refused options. */
@Timeout(120)
class ServeCommandIT {

    private Path dataDir;
    private Process serve;

    @BeforeEach
    void createDataDir() throws Exception {
        dataDir = Files.createTempDirectory("pgmigrate-serve-it").resolve("data");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (serve != null) {
            serve.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dataDir.getParent())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void serveWritesItsFilesAnswersWithTheTokenAndStopsCleanlyOnSigterm() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, Main.class.getName(), "serve", "--data-dir", dataDir.toString(), "--listen", "127.0.0.1:0");
        pb.environment().put("PGMIGRATE_LOG_LEVEL", "INFO"); // so that refused requests are logged, through logback.xml
        pb.redirectErrorStream(true);
        Path output = dataDir.getParent().resolve("serve.out");
        pb.redirectOutput(output.toFile());
        serve = pb.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(dataDir.resolve("endpoint")) || !serve.isAlive());
        assertThat(serve.isAlive()).as(Files.readString(output)).isTrue();

        String endpoint = Files.readString(dataDir.resolve("endpoint")).trim();
        assertThat(endpoint).matches("https://127\\.0\\.0\\.1:\\d+");
        for (String file : new String[] {"token", "secrets.key", "tls/server.key", "pgmigrate.db"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(file)))).as(file)
                    .isEqualTo("rw-------");
        }
        for (Path dir : new Path[] {dataDir, dataDir.resolve("work"), dataDir.resolve("tls")}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).as(dir.toString())
                    .isEqualTo("rwx------");
        }
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(dataDir.resolve("tls/server.crt"))).build();
        String token = Files.readString(dataDir.resolve("token")).trim();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/healthz"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(Files.readString(output)).contains("pgmigrate service listening on " + endpoint)
                .contains("Web portal: " + endpoint + "/portal/ (`pgmigrate portal` prints its sign-in link).");

        CliRun portal = CliRun.in(dataDir, "portal");
        assertThat(portal.exitCode()).as(portal.toString()).isZero();
        assertThat(portal.out()).isEqualTo(endpoint + "/portal/login#token=" + token + "\n");
        assertThat(portal.err()).contains("do not share it").contains(endpoint + "/portal/").doesNotContain(token);
        HttpResponse<String> signIn = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/portal/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).as("the portal's page loads without the token").isEqualTo(200);

        String servers = endpoint + "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.DBforPostgreSQL/servers/";
        HttpResponse<String> restart = http.send(HttpRequest.newBuilder(URI.create(servers + "src1?api-version=2025-08-01"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"properties\": {\"host\": \"db1\", \"restartCommand\": "
                        + "\"id > /tmp/pwned\"}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(restart.statusCode()).as("restart commands are off by default").isEqualTo(400);
        assertThat(restart.body()).contains("FeatureNotSupported").contains("pgmigrate serve --allow-restart-commands");

        // a bad api-version is logged with the value it was given: CR, LF and ESC must stay on the line
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(servers + "src1?api-version="
                + "x%0D%0A00:00:00%20ERROR%20FORGED%1B%5B2J")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(400);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(output).contains("FORGED"));
        assertThat(Files.readString(output).lines().filter(l -> l.contains("FORGED")))
                .singleElement().asString().contains("'x\\r\\n00:00:00 ERROR FORGED\\u001b[2J'")
                .doesNotStartWith("00:00:00 ERROR");

        StringWriter err = new StringWriter();
        int second = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--data-dir",
                dataDir.toString(), "--listen", "127.0.0.1:0");
        assertThat(second).isEqualTo(ExitCode.FAILED);
        assertThat(err.toString()).contains("Another pgmigrate service is running on the data dir");

        serve.destroy();
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(serve.exitValue()).as("stopped by SIGTERM after its shutdown hook").isEqualTo(143);
        assertThat(dataDir.resolve("endpoint")).as("a stopped service leaves no endpoint behind").doesNotExist();
        CliRun stopped = CliRun.in(dataDir, "portal");
        assertThat(stopped.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(stopped.out()).as("no dead link").isEmpty();
        assertThat(stopped.err()).contains("The pgmigrate service is not running").doesNotContain("\tat ");
    }

    @Test
    void anUnusableDataDirIsTheUsersProblemSaidInAMessageWithoutAStackTrace() throws Exception {
        Path file = Files.writeString(dataDir.getParent().resolve("a-file"), "x");
        String[][] cases = {
            {"/proc/nonexistent/data", "The service did not start. The data dir /proc/nonexistent/data cannot be used: "
                    + "Cannot create directory /proc/nonexistent/data: /proc/nonexistent does not exist."},
            {file.toString(), "The service did not start. The data dir " + file + " cannot be used: Cannot create "
                    + "directory " + file + ": " + file + " is not a directory."},
            {file.resolve("data").toString(), "The service did not start. The data dir " + file.resolve("data")
                    + " cannot be used: Cannot create directory " + file.resolve("data") + ": "}};
        for (String[] c : cases) {
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--data-dir", c[0],
                    "--listen", "127.0.0.1:0");
            assertThat(code).as(c[0]).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(err.toString()).as(c[0]).startsWith("ERROR: " + c[1])
                    .contains("Give a directory that the user '" + System.getProperty("user.name") + "' may create and "
                            + "write, with --data-dir or PGMIGRATE_DATA_DIR.")
                    .doesNotContain("\tat ").doesNotContain("bug in pgmigrate");
        }
    }

    @Test
    void aStoreUriWithAPasswordOrAnUnreachableStoreIsAMessageThatNeverShowsThePassword() throws Exception {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--data-dir",
                dataDir.toString(), "--listen", "127.0.0.1:0", "--store", "postgresql://svc:hunter2@127.0.0.1:1/pgm");
        assertThat(code).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).startsWith("ERROR: Invalid --store: it holds a password")
                .contains("--store-password-file, PGPASSWORD or ~/.pgpass").doesNotContain("hunter2")
                .doesNotContain("\tat ");

        Path passwordFile = Files.writeString(dataDir.getParent().resolve("store-password"), "hunter2\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        err = new StringWriter();
        code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--data-dir",
                dataDir.toString(), "--listen", "127.0.0.1:0", "--store", "postgresql://svc@127.0.0.1:1/pgm",
                "--store-password-file", passwordFile.toString(), "--node-name", "node-a");
        assertThat(code).isEqualTo(ExitCode.FAILED);
        assertThat(err.toString()).startsWith("ERROR: The service did not start: Cannot open the store "
                + "postgresql://svc@127.0.0.1:1/pgm:").doesNotContain("hunter2").doesNotContain("\tat ");
        assertThat(dataDir.resolve("pgmigrate.db")).as("no SQLite store besides").doesNotExist();

        err = new StringWriter();
        code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--data-dir",
                dataDir.toString(), "--listen", "127.0.0.1:0", "--node-name", "a b");
        assertThat(code).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).startsWith("ERROR: Invalid --node-name 'a b'");
    }

    @Test
    void anExistingDirectoryOpenToOthersWithOtherFilesInItIsRefusedAndLeftAsItIs() throws Exception {
        Path shared = Files.createDirectory(dataDir.getParent().resolve("shared"));
        Files.writeString(shared.resolve("notes.txt"), "not pgmigrate's");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--data-dir",
                shared.toString(), "--listen", "127.0.0.1:0");
        assertThat(code).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).startsWith("ERROR: The service did not start. The data dir " + shared + " cannot be "
                + "used: it is open to other users (mode rwxr-xr-x) and holds files that are not pgmigrate's (notes.txt), "
                + "so pgmigrate does not change its mode. Use a directory of its own (pgmigrate creates it), or make "
                + "this one private yourself (chmod 700 " + shared + ").");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared))).isEqualTo("rwxr-xr-x");
        assertThat(shared.resolve("token")).doesNotExist();
    }

    @Test
    void allowRestartCommandsIsOffByDefaultAndTurnsThemOn() {
        Environment env = new Environment(java.util.Map.of(), dataDir.getParent());
        ServeCommand off = new ServeCommand();
        new CommandLine(off).parseArgs();
        assertThat(off.config(new DataDir(dataDir), env).restartCommands().allowed()).isFalse();
        ServeCommand on = new ServeCommand();
        new CommandLine(on).parseArgs("--allow-restart-commands");
        assertThat(on.config(new DataDir(dataDir), env).restartCommands().allowed()).isTrue();
    }

    @Test
    void aNonLoopbackAddressWithoutTlsIsRefused() {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--data-dir",
                dataDir.toString(), "--listen", "0.0.0.0:0", "--no-tls");
        assertThat(code).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).contains("Refusing to listen on 0.0.0.0 without TLS").doesNotContain("at org.");
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() throws Exception {
        Path cert = Files.createFile(dataDir.getParent().resolve("cert.pem"));
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "serve", "--data-dir",
                dataDir.toString(), "--tls-cert", cert.toString());
        assertThat(code).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).contains("--tls-cert and --tls-key go together");
        StringWriter err2 = new StringWriter();
        assertThat(Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err2), "serve", "--listen", "nonsense"))
                .isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err2.toString()).contains("Invalid --listen 'nonsense'");
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("pgmigrate", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
