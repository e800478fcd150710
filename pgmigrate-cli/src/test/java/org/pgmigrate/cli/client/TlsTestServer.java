package org.pgmigrate.cli.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.pgmigrate.service.security.TlsMaterial;

/**
 * A tiny HTTPS server for transport tests only (token header, certificate pinning, error printing): it answers
 * whatever the test scripts and records what it received. Behaviour is tested against the real service.
 */
final class TlsTestServer implements AutoCloseable {

    /**
     * A self-signed certificate for 127.0.0.1 and its key, made in-process as the service makes its own (two keytool
     * runs per identity cost this test class some 5 s of JVM starts): the key store and the PEM certificate.
     */
    record Identity(KeyStore keyStore, char[] password, Path certificatePem) {

        static Identity generate(Path dir, String alias) {
            Path pem = dir.resolve(alias + ".crt");
            TlsMaterial material = TlsMaterial.selfSigned(pem, dir.resolve(alias + ".key"), "127.0.0.1");
            return new Identity(material.keyStore(), material.keyStorePassword().toCharArray(), pem);
        }
    }

    /** What the server received. */
    record Request(String method, String pathAndQuery, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** What the server answers. */
    record Answer(int status, String body) {
    }

    private final HttpsServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Answer> script = r -> new Answer(200, "{}");

    TlsTestServer(Identity identity) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity.keyStore(), identity.password());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", this::handle);
        server.start();
    }

    void answer(Function<Request, Answer> newScript) {
        this.script = newScript;
    }

    String baseUrl() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return requests;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                Map.copyOf(exchange.getRequestHeaders()), body);
        requests.add(request);
        Answer answer = script.apply(request);
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
