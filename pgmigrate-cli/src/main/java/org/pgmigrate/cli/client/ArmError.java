package org.pgmigrate.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.output.Json;

/**
 * Turns an ARM {@code ErrorResponse} ({@code {"error":{"code","message","target","details"}}}) into the CLI's error,
 * with the flags or properties file keys of the fields it names ({@link CliFieldNames}).
 */
final class ArmError {

    private ArmError() {
    }

    static CliException of(int status, String body, String method, String path, ServiceLocation location) {
        int exitCode = status >= 400 && status < 500 ? ExitCode.INVALID_INPUT : ExitCode.FAILED;
        JsonNode error = errorNode(body);
        String message;
        if (error == null) {
            message = "The service answered " + method + " " + path + " with HTTP " + status
                    + (body == null || body.isBlank() ? "" : ": " + excerpt(body));
        } else {
            String code = Json.text(error, "code");
            message = (code.isEmpty() ? "" : "(" + code + ") ") + Json.text(error, "message");
            for (JsonNode detail : error.path("details")) {
                message += "\n  " + Json.text(detail, "message");
            }
            // The service speaks ARM's field names; a CLI user sets them through flags and the properties file.
            java.util.List<String> hints = CliFieldNames.hints(Json.text(error, "message"), Json.text(error, "target"));
            if (!hints.isEmpty()) {
                message += "\nIn the CLI:\n  " + String.join("\n  ", hints);
            }
        }
        if (status == 401) {
            message += "\nThe token comes from " + location.tokenSource() + "; it must be the one `pgmigrate serve` "
                    + "wrote in " + location.dataDir().tokenFile() + ".";
        }
        return new CliException(exitCode, message);
    }

    private static JsonNode errorNode(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode error = Json.mapper().readTree(body).get("error");
            return error != null && error.isObject() ? error : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The first 300 characters of a body, on one line, for messages. */
    static String excerpt(String body) {
        String line = body.replaceAll("\\s+", " ").trim();
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
