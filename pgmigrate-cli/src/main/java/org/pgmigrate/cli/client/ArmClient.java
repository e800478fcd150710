package org.pgmigrate.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.SSLException;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.config.DataDir;
import org.pgmigrate.cli.config.Environment;
import org.pgmigrate.cli.output.Diagnostics;
import org.pgmigrate.cli.output.Json;

/**
 * HTTPS+JSON calls to the service's ARM API with the bearer token. Answers are JSON trees; an ARM
 * {@code ErrorResponse} becomes a {@link CliException} carrying its message, exit code
 * {@link ExitCode#INVALID_INPUT} for a 4xx and {@link ExitCode#FAILED} otherwise. Every call blocks until the
 * answer or the timeout. Thread-safe (one {@link HttpClient}).
 */
public final class ArmClient {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    // Creating a migration validates its servers synchronously, as ARM's PUT is not an LRO.
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    private final ServiceLocation location;
    private final HttpClient http;
    private final Diagnostics log;

    ArmClient(ServiceLocation location, Diagnostics log) {
        this.location = location;
        this.log = log;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER);
        location.pinnedCertificate().ifPresent(cert -> builder.sslContext(PinnedCertificate.sslContext(cert)));
        this.http = builder.build();
    }

    /**
     * A client for the service found in the data directory or the environment (see {@link ServiceLocation}); it
     * traces its requests to {@code log} ({@code --verbose}, {@code --debug}).
     */
    public static ArmClient connect(DataDir dataDir, Environment env, Diagnostics log) {
        return new ArmClient(ServiceLocation.locate(dataDir, env), log);
    }

    public JsonNode get(ArmPath path) {
        return send("GET", path, null).orElseThrow(() -> emptyAnswer("GET", path));
    }

    /** GET that answers empty for a 404 instead of failing. */
    public Optional<JsonNode> find(ArmPath path) {
        return send("GET", path, null, true);
    }

    public JsonNode put(ArmPath path, JsonNode body) {
        return send("PUT", path, body).orElseThrow(() -> emptyAnswer("PUT", path));
    }

    public JsonNode patch(ArmPath path, JsonNode body) {
        return send("PATCH", path, body).orElseThrow(() -> emptyAnswer("PATCH", path));
    }

    public JsonNode post(ArmPath path, JsonNode body) {
        return send("POST", path, body).orElseThrow(() -> emptyAnswer("POST", path));
    }

    /**
     * DELETE. ARM answers 200 (with the resource when the DELETE only canceled it, without a body when it is gone
     * now) or 204 when there was no such resource: a DELETE is idempotent, and the caller says which happened.
     */
    public Deletion delete(ArmPath path) {
        Answer answer = exchangeAnswer("DELETE", uriOf(path), null, false);
        return new Deletion(answer.status() != 204, answer.body());
    }

    /**
     * What a DELETE did.
     *
     * @param existed false when the service answered 204: there was nothing to delete
     * @param body    the resource, when the service answered with it (a migration canceled rather than deleted)
     */
    public record Deletion(boolean existed, Optional<JsonNode> body) {
    }

    /** GET of a collection: every page's {@code value} items, following {@code nextLink} on this service only. */
    public ArrayNode list(ArmPath path) {
        ArrayNode all = Json.mapper().createArrayNode();
        URI next = uriOf(path);
        while (next != null) {
            JsonNode page = exchange("GET", next, null, false).orElseThrow(() -> emptyAnswer("GET", path));
            page.path("value").forEach(all::add);
            String link = Json.text(page, "nextLink");
            next = link.isEmpty() ? null : sameService(URI.create(link));
        }
        return all;
    }

    private Optional<JsonNode> send(String method, ArmPath path, JsonNode body) {
        return send(method, path, body, false);
    }

    private Optional<JsonNode> send(String method, ArmPath path, JsonNode body, boolean notFoundIsEmpty) {
        return exchange(method, uriOf(path), body, notFoundIsEmpty);
    }

    private URI uriOf(ArmPath path) {
        String base = location.endpoint().toString().replaceAll("/+$", "");
        return URI.create(base + path.relativeUri());
    }

    // A nextLink pointing elsewhere would receive the bearer token.
    private URI sameService(URI link) {
        URI endpoint = location.endpoint();
        if (!link.getScheme().equalsIgnoreCase(endpoint.getScheme())
                || !link.getHost().equalsIgnoreCase(endpoint.getHost()) || link.getPort() != endpoint.getPort()) {
            throw new CliException(ExitCode.FAILED, "The service returned a nextLink to another host (" + link.getHost()
                    + "); refusing to send the token there.");
        }
        return link;
    }

    private Optional<JsonNode> exchange(String method, URI uri, JsonNode body, boolean notFoundIsEmpty) {
        return exchangeAnswer(method, uri, body, notFoundIsEmpty).body();
    }

    /** A successful answer: its status and its JSON body, if it has one. */
    private record Answer(int status, Optional<JsonNode> body) {
    }

    private Answer exchangeAnswer(String method, URI uri, JsonNode body, boolean notFoundIsEmpty) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + location.token())
                .header("Accept", "application/json")
                .header("x-ms-client-request-id", UUID.randomUUID().toString())
                .header("User-Agent", "pgmigrate-cli");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        HttpRequest built = request.build();
        String text = body == null ? null : body.toString();
        HttpTrace.request(log, method, uri.toString(), built.headers(), text, location.token());
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.INTERRUPTED,
                    "Interrupted while waiting for the service at " + uri.getHost());
        } catch (IOException e) {
            throw transportFailure(e);
        }
        int status = response.statusCode();
        HttpTrace.response(log, method, uri.toString(), status, response.headers(), response.body(),
                (System.nanoTime() - started) / 1_000_000, location.token());
        if (status == 404 && notFoundIsEmpty) {
            return new Answer(status, Optional.empty());
        }
        if (status >= 200 && status < 300) {
            return new Answer(status, parse(response.body(), method, uri, status));
        }
        throw ArmError.of(status, response.body(), method, uri.getPath(), location);
    }

    private Optional<JsonNode> parse(String body, String method, URI uri, int status) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readTree(body));
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.FAILED, "The service answered " + method + " " + uri.getPath()
                    + " with HTTP " + status + " but its body is not JSON: " + ArmError.excerpt(body));
        }
    }

    private CliException transportFailure(IOException e) {
        URI endpoint = location.endpoint();
        if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof UnresolvedAddressException) {
            return ServiceLocation.notRunning(location.dataDir(), "nothing answers at " + endpoint + ", from "
                    + location.endpointSource());
        }
        if (e instanceof HttpTimeoutException) {
            return new CliException(ExitCode.FAILED, "The service at " + endpoint + " did not answer within "
                    + REQUEST_TIMEOUT.toSeconds() + "s. Check its log; the request may still complete.");
        }
        if (e instanceof SSLException || e.getCause() instanceof SSLException) {
            return new CliException(ExitCode.FAILED, "TLS with the service at " + endpoint + " failed: "
                    + rootMessage(e)
                    + ". The CLI trusts only " + location.pinnedCertificate().map(Object::toString)
                    .orElse("the system's certificate authorities (no " + location.dataDir().certificateFile() + ")")
                    + "; the service rewrites that file when it starts with a new certificate.");
        }
        return new CliException(ExitCode.FAILED, "Cannot talk to the service at " + endpoint + ": " + rootMessage(e));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static CliException emptyAnswer(String method, ArmPath path) {
        return new CliException(ExitCode.FAILED, "The service answered " + method + " " + path.path()
                + " with no body, where a resource was expected.");
    }
}
