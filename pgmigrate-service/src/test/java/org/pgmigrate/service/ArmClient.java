package org.pgmigrate.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test client for the service, as the CLI will be: it reads {@code endpoint} and {@code token} from the data
 * dir and trusts exactly {@code tls/server.crt}. Paths are relative to the target server's ARM id.
 */
public final class ArmClient {

    public static final String API = "2025-08-01";
    public static final String SUB = "00000000-0000-0000-0000-000000000001";
    public static final String RG = "rg1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String endpoint;
    private String token;
    private String apiVersion = API;

    public ArmClient(Path dataDir) {
        try {
            this.endpoint = Files.readString(dataDir.resolve("endpoint")).trim();
            this.token = Files.readString(dataDir.resolve("token")).trim();
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
            if (endpoint.startsWith("https")) {
                b.sslContext(trusting(dataDir.resolve("tls/server.crt")));
            }
            this.http = b.build();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot set up the client for " + dataDir, e);
        }
    }

    public ArmClient withToken(String other) {
        this.token = other;
        return this;
    }

    /** Sends {@code version} as the api-version from now on. */
    public ArmClient withApiVersion(String version) {
        this.apiVersion = version;
        return this;
    }

    public String endpoint() {
        return endpoint;
    }

    /** The response: status, body text, and body as JSON (missing when not JSON). */
    public record Response(int status, String body, JsonNode json) {
        public String errorCode() {
            return json.path("error").path("code").asText();
        }

        public String errorMessage() {
            return json.path("error").path("message").asText();
        }

        public String state() {
            return json.path("properties").path("currentStatus").path("state").asText();
        }

        public String subState() {
            return json.path("properties").path("currentStatus").path("currentSubStateDetails").path("currentSubState").asText();
        }

        public JsonNode db(String name) {
            return json.path("properties").path("currentStatus").path("currentSubStateDetails").path("dbDetails").path(name);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public static String serverPath(String kind, String name) {
        return "/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/Microsoft.DBforPostgreSQL/" + kind + "/" + name;
    }

    public static String migrationPath(String server, String migration) {
        return serverPath("flexibleServers", server) + "/migrations/" + migration;
    }

    public Response send(String method, String path, String body) {
        String sep = path.contains("?") ? "&" : "?";
        return raw(method, path + sep + "api-version=" + apiVersion, body);
    }

    public Response raw(String method, String pathAndQuery, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + pathAndQuery)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = r.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(r.body());
            } catch (IOException e) {
                json = MissingNode.getInstance();
            }
            return new Response(r.statusCode(), r.body(), json);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + pathAndQuery + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response put(String path, String body) {
        return send("PUT", path, body);
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response patch(String path, String body) {
        return send("PATCH", path, body);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response post(String path, String body) {
        return send("POST", path, body);
    }

    /** Registers a server reachable at host:port. */
    public Response registerServer(String kind, String name, String host, int port) {
        return put(serverPath(kind, name), "{\"location\": \"local\", \"properties\": {\"fullyQualifiedDomainName\": \""
                + host + "\", \"port\": " + port + ", \"sslMode\": \"Prefer\"}}");
    }

    /** An SSL context that trusts exactly {@code certificate} (the service's tls/server.crt). */
    static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("pgmigrate", cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
