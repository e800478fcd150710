package org.pgmigrate.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.pgmigrate.cli.output.Diagnostics;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.service.security.SecretScrubber;

/**
 * What {@code --debug} shows of each exchange with the service, in the shape of az's network trace (URL, method,
 * headers, body; status, headers, content), and the one line {@code --verbose} shows. Secrets never reach it: the
 * token becomes {@code *****} in the Authorization header and wherever else it appears, and a JSON body has every
 * string under a key that names a password, secret or token masked ({@code secretParameters.adminCredentials}); other
 * bodies go through {@link SecretScrubber}. Stateless.
 */
final class HttpTrace {

    static final String MASK = SecretScrubber.MASK;
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|passwd|secret|token).*");

    private HttpTrace() {
    }

    static void request(Diagnostics log, String method, String url, HttpHeaders headers, String body, String token) {
        if (!log.debugging()) {
            return;
        }
        StringBuilder trace = new StringBuilder();
        trace.append("Request URL: '").append(url).append("'\n");
        trace.append("Request method: '").append(method).append("'\n");
        trace.append("Request headers:\n");
        headers(trace, headers.map());
        trace.append("Request body:\n").append(body == null ? "This request has no body" : masked(body, token));
        log.debug(trace.toString());
    }

    static void response(Diagnostics log, String method, String url, int status, HttpHeaders headers, String body,
                         long millis, String token) {
        log.info(method + " " + url + " -> " + status + " (" + millis + " ms)");
        if (!log.debugging()) {
            return;
        }
        StringBuilder trace = new StringBuilder();
        trace.append("Response status: ").append(status).append('\n');
        trace.append("Response headers:\n");
        headers(trace, headers.map());
        trace.append("Response content:\n").append(body == null || body.isEmpty() ? "" : masked(body, token));
        log.debug(trace.toString());
    }

    private static void headers(StringBuilder trace, Map<String, List<String>> headers) {
        headers.forEach((name, values) -> values.forEach(v -> trace.append("    '").append(name).append("': '")
                .append(name.equalsIgnoreCase("Authorization") ? v.split(" ", 2)[0] + " " + MASK : v).append("'\n")));
    }

    /**
     * A body for the log. JSON: the values of secret-named keys masked, then the token wherever it is. Anything else
     * (an error page): the token and whatever looks like a password ({@link SecretScrubber}).
     */
    static String masked(String body, String token) {
        List<String> secrets = token == null || token.isEmpty() ? List.of() : List.of(token);
        JsonNode json;
        try {
            json = Json.mapper().readTree(body);
        } catch (java.io.IOException e) {
            json = null;
        }
        if (json == null) {
            return SecretScrubber.scrub(body, secrets);
        }
        String text = Json.pretty(maskSecrets(json));
        for (String secret : secrets) {
            text = text.replace(secret, MASK);
        }
        return text;
    }

    private static JsonNode maskSecrets(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = Json.mapper().createObjectNode();
            node.properties().forEach(f -> copy.set(f.getKey(),
                    f.getValue().isValueNode() && SECRET_KEY.matcher(f.getKey().toLowerCase(Locale.ROOT)).matches()
                            ? copy.textNode(MASK) : maskSecrets(f.getValue())));
            return copy;
        }
        if (node.isArray()) {
            var copy = Json.mapper().createArrayNode();
            node.forEach(e -> copy.add(maskSecrets(e)));
            return copy;
        }
        return node;
    }
}
