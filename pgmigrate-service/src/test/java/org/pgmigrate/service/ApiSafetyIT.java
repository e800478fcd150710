package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pgmigrate.service.ArmClient.migrationPath;
import static org.pgmigrate.service.ArmClient.serverPath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;

/**
 * The service's edges against careless or hostile input, on a real node (HTTPS on port 0): a data dir that already
 * existed open to everyone, request bodies larger than the limit (chunked, so without a Content-Length, too), and
 * control characters in request values, which must not forge log lines. No database is needed: nothing here
 * reaches one.
 */
@Timeout(120)
class ApiSafetyIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TEST_LOG = Path.of("target/service-test.log");
    private static final long PAUSE_AT = 2L * 1024 * 1024;
    private static Path root;
    private static Path dataDir;
    private static ServiceWiring service;
    private static ArmClient client;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("pgmigrate-safety-it");
        // as a user's mkdir and an older version would have left them: open to group and others
        dataDir = Files.createDirectory(root.resolve("data"));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path work = Files.createDirectory(dataDir.resolve("work"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (!TestStores.postgres()) {
            Path store = Files.createFile(dataDir.resolve("pgmigrate.db")); // an empty file is an empty SQLite database
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-r--r--"));
        }
        service = ServiceWiring.start(TestStores.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));
        client = new ArmClient(dataDir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theDataDirAndWorkDirBecomePrivateEvenWhenTheyAlreadyExistedOpenAndSoDoTheStoreAndTheKeys() throws Exception {
        assertThat(mode(dataDir)).isEqualTo("rwx------");
        assertThat(mode(dataDir.resolve("work"))).isEqualTo("rwx------");
        assertThat(mode(dataDir.resolve("tls"))).isEqualTo("rwx------");
        for (String file : new String[] {"token", "secrets.key", "tls/server.key"}) {
            assertThat(mode(dataDir.resolve(file))).as(file).isEqualTo("rw-------");
        }
        assertThat(client.put(serverPath("flexibleServers", "walcheck"), "{\"properties\": {\"host\": \"h1\"}}")
                .status()).isEqualTo(201);
        if (TestStores.postgres()) {
            // the state is in the PostgreSQL store: the node writes no store file of its own
            assertThat(dataDir.resolve("pgmigrate.db")).doesNotExist();
        } else {
            assertThat(mode(dataDir.resolve("pgmigrate.db"))).as("pgmigrate.db").isEqualTo("rw-------");
            assertThat(mode(dataDir.resolve("pgmigrate.db-wal"))).as("SQLite's WAL file takes the store's mode")
                    .isEqualTo("rw-------");
        }
        assertThat(Files.readString(TEST_LOG)).contains(dataDir + " was open to other users (rwxr-xr-x); changed its "
                + "mode to rwx------.");
    }

    @Test
    void aChunkedBodyLargerThanTheLimitIsRefusedWith413BeforeItIsReadWholeAndTheServiceStaysHealthy() throws Exception {
        // 64 MiB offered, without Content-Length: a service that read it whole before checking would hold it all
        RawResponse r = sendChunked(serverPath("flexibleServers", "huge") + "?api-version=" + ArmClient.API,
                64 * 1024 * 1024);

        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.headers().get("connection")).isEqualTo("close");
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("RequestEntityTooLarge");
        assertThat(error.path("message").asText()).isEqualTo("The request content is too large (more than 1048576 "
                + "bytes); the limit is 1048576 bytes. A request body is a resource's JSON, which is far smaller.");
        // the answer may come while the client pauses, or earlier: as soon as the service has read past the limit
        assertThat(r.sentWhenAnswered()).as("answered by the time the client paused after 2 MiB, of 64 MiB")
                .isLessThanOrEqualTo(PAUSE_AT);

        assertThat(client.raw("GET", "/healthz", null).status()).isEqualTo(200);
        assertThat(client.get(serverPath("flexibleServers", "huge")).status()).as("nothing registered").isEqualTo(404);
        Response after = client.put(serverPath("flexibleServers", "afterhuge"), "{\"properties\": {\"host\": \"h2\"}}");
        assertThat(after.status()).as(after.body()).isEqualTo(201);
    }

    @Test
    void aBodyWhoseContentLengthIsOverTheLimitIsRefusedWith413InArmShape() throws Exception {
        // the first 64 kB only (Jetty dispatches a request once some of its body is in): refused on the header
        RawResponse r = send(serverPath("flexibleServers", "declared") + "?api-version=" + ArmClient.API,
                "Content-Length: " + (2 * 1024 * 1024), "{\"properties\": {\"host\": \"".concat("a".repeat(64 * 1024))
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).isEqualTo(413);
        assertThat(JSON.readTree(r.body()).path("error").path("message").asText())
                .startsWith("The request content is too large (2097152 bytes); the limit is 1048576 bytes.");
        assertThat(client.raw("GET", "/healthz", null).status()).isEqualTo(200);
    }

    @Test
    void aChunkedBodyWithinTheLimitIsReadWhole() throws Exception {
        String host = "h".repeat(900_000); // most of the limit, in chunks
        byte[] body = ("{\"properties\": {\"host\": \"" + host + "\"}}").getBytes(StandardCharsets.UTF_8);
        RawResponse r = send(serverPath("flexibleServers", "chunkedok") + "?api-version=" + ArmClient.API,
                "Transfer-Encoding: chunked", chunked(body, 64 * 1024));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(client.get(serverPath("flexibleServers", "chunkedok")).json().path("properties")
                .path("fullyQualifiedDomainName").asText()).isEqualTo(host);
    }

    @Test
    void controlCharactersInRequestValuesCannotForgeLogLines() throws Exception {
        String forged = "FORGED-" + System.nanoTime();
        Response badName = client.put(migrationPath("target1", "bad%0A" + forged + "%1B%5B2J%0D%0A" + forged),
                "{\"properties\": {\"sourceDbServerResourceId\": \"10.0.0.5:5432@postgres\", \"dbsToMigrate\": [\"db1\"], "
                        + "\"secretParameters\": {\"adminCredentials\": {\"sourceServerPassword\": \"x\", "
                        + "\"targetServerPassword\": \"y\"}}}}");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.errorCode()).isEqualTo("InvalidResourceName");
        Response badVersion = client.raw("GET", serverPath("flexibleServers", "x") + "?api-version=%0D%0A" + forged
                + "%E2%80%A8" + forged, null);
        assertThat(badVersion.status()).isEqualTo(400);

        String log = Files.readString(TEST_LOG);
        assertThat(log.lines().filter(l -> l.contains(forged))).as("the lines that quote the requests")
                .anySatisfy(l -> assertThat(l).contains("'bad\\n" + forged + "\\u001b[2J\\r\\n" + forged + "'"))
                .anySatisfy(l -> assertThat(l).contains("\\r\\n" + forged + "\\u2028" + forged))
                .allSatisfy(l -> assertThat(l).matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} [A-Z]+ .*"));
        assertThat(log).doesNotContain("\u001b").doesNotContain("\u2028");
    }

    /** What a raw HTTP/1.1 exchange returned, and how much of the request body had been sent when the answer came. */
    private record RawResponse(int status, Map<String, String> headers, String body, long sentWhenAnswered) {
    }

    /**
     * Sends a JSON-looking body of {@code total} bytes in 64 kB chunks, pausing after {@link #PAUSE_AT} bytes until the
     * answer came (or 20 s passed), and returns the answer with how much had been sent when it came. A service that
     * reads the whole body before answering cannot answer by the pause.
     */
    private static RawResponse sendChunked(String pathAndQuery, long total) throws Exception {
        try (SSLSocket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(pathAndQuery, "Transfer-Encoding: chunked"));
            AtomicLong written = new AtomicLong();
            CountDownLatch answered = new CountDownLatch(1);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                try {
                    out.write(chunked("{\"properties\": {\"host\": \"".getBytes(StandardCharsets.UTF_8), 1 << 20, false));
                    while (written.get() < total) {
                        if (written.get() == PAUSE_AT) {
                            out.flush();
                            answered.await(20, TimeUnit.SECONDS);
                        }
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        written.addAndGet(chunk.length);
                    }
                    out.write(chunked("\"}}".getBytes(StandardCharsets.UTF_8), 1 << 20, true));
                    out.flush();
                } catch (IOException e) {
                    // the service answered and closed the connection: expected
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            RawResponse r = read(socket.getInputStream());
            long sentWhenAnswered = written.get();
            answered.countDown();
            socket.close(); // stops the writer, if the service let it go on
            writer.get(60, TimeUnit.SECONDS);
            return new RawResponse(r.status(), r.headers(), r.body(), sentWhenAnswered);
        }
    }

    private static RawResponse send(String pathAndQuery, String framing, byte[] body) throws Exception {
        try (SSLSocket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(pathAndQuery, framing));
            out.write(body);
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static SSLSocket connect() throws Exception {
        URI uri = URI.create(client.endpoint());
        SSLSocket socket = (SSLSocket) ArmClient.trusting(dataDir.resolve("tls/server.crt")).getSocketFactory()
                .createSocket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        return socket;
    }

    private static byte[] head(String pathAndQuery, String framing) throws IOException {
        URI uri = URI.create(client.endpoint());
        String token = Files.readString(dataDir.resolve("token")).trim();
        return ("PUT " + pathAndQuery + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] chunked(byte[] body, int chunkSize) {
        return chunked(body, chunkSize, true);
    }

    /** {@code body} in HTTP/1.1 chunks, with the terminating zero-length chunk when {@code last}. */
    private static byte[] chunked(byte[] body, int chunkSize, boolean last) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += chunkSize) {
            int n = Math.min(chunkSize, body.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        if (last) {
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** Reads one response: status line, headers (names lower-cased), and a Content-Length body. */
    private static RawResponse read(InputStream in) throws IOException {
        String statusLine = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return new RawResponse(Integer.parseInt(statusLine.split(" ")[1]), headers,
                new String(body, StandardCharsets.UTF_8), 0);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed after '" + s + "'");
            }
            if (c != '\r') {
                s.append((char) c);
            }
        }
        return s.toString();
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
