package org.pgmigrate.cli.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.output.Json;

/**
 * The {@code --properties} JSON file of {@code migration create}, read as az reads it: only the top-level
 * {@code "properties"} object; keys matched case-insensitively; {@code "true"/"false"} in any case become
 * {@code "True"/"False"}, an absent flag {@code "False"}. The result holds the REST property names the service
 * expects, secrets included, so it is never printed.
 */
final class PropertiesFile {

    static final String MISSING = "Properties file does not exist in the given location";
    static final String INVALID_JSON = "Invalid json file. Make sure that the json file content is properly formatted.";

    /** az's key (any case) → REST property, for values passed through as they are. */
    private static final Map<String, String> PASSED_THROUGH = Map.of(
            "SourceDbServerResourceId", "sourceDbServerResourceId",
            "SourceDbServerFullyQualifiedDomainName", "sourceDbServerFullyQualifiedDomainName",
            "TargetDbServerFullyQualifiedDomainName", "targetDbServerFullyQualifiedDomainName",
            "DbsToMigrate", "dbsToMigrate",
            "SourceType", "sourceType",
            "SslMode", "sslMode",
            "MigrationRuntimeResourceId", "migrationInstanceResourceId",
            // Not read by az, which leaves them to REST clients; accepted here so the file can say everything.
            "MigrationWindowStartTimeInUtc", "migrationWindowStartTimeInUtc",
            "MigrationWindowEndTimeInUtc", "migrationWindowEndTimeInUtc");

    /** True/False flags that az always sends, "False" when absent. */
    private static final List<String> FLAGS = List.of("SetupLogicalReplicationOnSourceDbIfNeeded",
            "OverwriteDbsInTarget");

    /** True/False flags az does not read; sent only when present, so that the service's default applies. */
    private static final List<String> OPTIONAL_FLAGS = List.of("MigrateRoles", "StartDataMigration",
            "AllowReplicaIdentityFull");

    // Like Python's json.load, which az uses: text after the document is an error, not ignored.
    private static final ObjectReader STRICT = Json.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What the file yields: the REST properties, and keys that were not read (for a warning). */
    record Parsed(ObjectNode properties, List<String> ignoredKeys) {
    }

    private PropertiesFile() {
    }

    /** Reads {@code argument}, a path absolute or relative to {@code workingDirectory}, as az does. */
    static Parsed read(Path workingDirectory, String argument) {
        Path file = workingDirectory.resolve(argument.trim()).normalize();
        if (!Files.isRegularFile(file)) {
            throw new CliException(ExitCode.INVALID_INPUT, MISSING + "\n(looked for " + file + ")");
        }
        JsonNode root;
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            // Editors on Windows save a byte-order mark; it is not part of the JSON.
            root = STRICT.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.INVALID_INPUT, INVALID_JSON + "\n(" + file + ": " + e.getOriginalMessage()
                    + location(e) + ")");
        } catch (IOException e) {
            throw new CliException(ExitCode.INVALID_INPUT, "Cannot read the properties file " + file + ": "
                    + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new CliException(ExitCode.INVALID_INPUT, INVALID_JSON + "\n(" + file + " is empty)");
        }
        return parse(root, file.toString());
    }

    static Parsed parse(JsonNode root, String source) {
        if (root == null || !root.isObject() || !(root.get("properties") instanceof ObjectNode properties)) {
            throw new CliException(ExitCode.INVALID_INPUT, "The properties file " + source + " has no top-level "
                    + "\"properties\" object. It must look like {\"properties\": {\"sourceDbServerResourceId\": ..., "
                    + "\"secretParameters\": {...}, \"dbsToMigrate\": [...]}}\n"
                    + "(see `pgmigrate migration create --help`).");
        }
        ObjectNode rest = Json.mapper().createObjectNode();
        List<String> ignored = new ArrayList<>();
        List<String> read = new ArrayList<>();
        PASSED_THROUGH.forEach((key, restName) -> find(properties, key).ifPresent(e -> {
            rest.set(restName, e.getValue());
            read.add(e.getKey());
        }));
        for (String key : FLAGS) {
            Optional<Map.Entry<String, JsonNode>> entry = find(properties, key);
            entry.ifPresent(e -> read.add(e.getKey()));
            rest.put(lowerFirst(key), trueOrFalse(key, entry.map(Map.Entry::getValue).orElse(null)));
        }
        for (String key : OPTIONAL_FLAGS) {
            find(properties, key).ifPresent(e -> {
                read.add(e.getKey());
                rest.put(lowerFirst(key), trueOrFalse(key, e.getValue()));
            });
        }
        find(properties, "SecretParameters").ifPresent(e -> {
            read.add(e.getKey());
            rest.set("secretParameters", secretParameters(e.getValue(), ignored));
        });
        properties.fieldNames().forEachRemaining(name -> {
            if (!read.contains(name)) {
                ignored.add(name);
            }
        });
        return new Parsed(rest, List.copyOf(ignored));
    }

    private static ObjectNode secretParameters(JsonNode node, List<String> ignored) {
        if (!(node instanceof ObjectNode secrets)) {
            throw CliException.invalidInput("Key SecretParameters in the properties file must be an object with "
                    + "adminCredentials, sourceServerUsername and targetServerUsername.");
        }
        ObjectNode out = Json.mapper().createObjectNode();
        List<String> read = new ArrayList<>();
        find(secrets, "AdminCredentials").ifPresent(e -> {
            read.add(e.getKey());
            if (!(e.getValue() instanceof ObjectNode credentials)) {
                throw CliException.invalidInput("Key AdminCredentials in the properties file must be an object with "
                        + "sourceServerPassword and targetServerPassword.");
            }
            ObjectNode admin = out.putObject("adminCredentials");
            List<String> readCredentials = new ArrayList<>();
            for (String key : List.of("SourceServerPassword", "TargetServerPassword")) {
                find(credentials, key).ifPresent(c -> {
                    readCredentials.add(c.getKey());
                    admin.set(lowerFirst(key), c.getValue());
                });
            }
            credentials.fieldNames().forEachRemaining(n -> {
                if (!readCredentials.contains(n)) {
                    ignored.add("secretParameters.adminCredentials." + n);
                }
            });
        });
        for (String key : List.of("SourceServerUsername", "TargetServerUsername")) {
            find(secrets, key).ifPresent(e -> {
                read.add(e.getKey());
                out.set(lowerFirst(key), e.getValue());
            });
        }
        secrets.fieldNames().forEachRemaining(n -> {
            if (!read.contains(n)) {
                ignored.add("secretParameters." + n);
            }
        });
        return out;
    }

    /** az's {@code get_enum_value_true_false}: "true"/"false" in any case; absent means "False". */
    static String trueOrFalse(String key, JsonNode value) {
        if (value == null || value.isNull()) {
            return "False";
        }
        // A JSON boolean is what a user means by true; az would crash on it, so accept it.
        String text = value.isBoolean() || value.isTextual() ? value.asText().trim().toLowerCase(Locale.ROOT) : "";
        if (text.equals("true")) {
            return "True";
        }
        if (text.equals("false")) {
            return "False";
        }
        throw CliException.invalidInput("Value of Key " + key + " must be either 'True' or 'False'");
    }

    /** az's {@code get_case_insensitive_key_value}: the first key equal ignoring case. */
    private static Optional<Map.Entry<String, JsonNode>> find(ObjectNode node, String key) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equalsIgnoreCase(key)) {
                return Optional.of(field);
            }
        }
        return Optional.empty();
    }

    private static String lowerFirst(String key) {
        return Character.toLowerCase(key.charAt(0)) + key.substring(1);
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }
}
