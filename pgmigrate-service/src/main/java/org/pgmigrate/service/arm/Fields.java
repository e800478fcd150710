package org.pgmigrate.service.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

/**
 * One JSON object of a request, read as az reads the properties file: keys match case-insensitively
 * ({@code dBsToMigrate}, {@code overwriteDBsInTarget}), unknown keys are refused by name, and each getter checks
 * the value's type and says which property is wrong. {@code path} prefixes property names in messages
 * ({@code properties.dbsToMigrate}). Not thread-safe; one per request.
 */
final class Fields {

    private final String path;
    private final Map<String, Map.Entry<String, JsonNode>> byLowerKey = new LinkedHashMap<>();

    Fields(ObjectNode node, String path) {
        this.path = path;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (byLowerKey.containsKey(lower)) {
                throw bad("Property '" + name(e.getKey()) + "' is given twice (as '" + byLowerKey.get(lower).getKey()
                        + "' and '" + e.getKey() + "'); keys are case-insensitive. Keep one.", e.getKey());
            }
            byLowerKey.put(lower, e);
        }
    }

    /** Refuses keys outside {@code known} and {@code ignored} (read-only properties a client may echo back). */
    Fields allowOnly(Set<String> known, Set<String> ignored) {
        Set<String> knownLower = lower(known);
        Set<String> ignoredLower = lower(ignored);
        for (Map.Entry<String, JsonNode> e : byLowerKey.values()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (!knownLower.contains(lower) && !ignoredLower.contains(lower)) {
                throw bad("Unknown property '" + name(e.getKey()) + "'. Known properties" + (path.isEmpty() ? "" : " of '"
                        + path + "'") + ": " + String.join(", ", new TreeSet<>(known)) + " (keys are case-insensitive).",
                        e.getKey());
            }
        }
        return this;
    }

    boolean has(String key) {
        JsonNode v = node(key);
        return v != null && !v.isNull();
    }

    String text(String key) {
        JsonNode v = node(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw bad("Property '" + name(key) + "' must be a string, was " + type(v) + ".", key);
        }
        return v.asText();
    }

    String requiredText(String key, String hint) {
        String v = text(key);
        if (v == null || v.isBlank()) {
            throw bad("Property '" + name(key) + "' is required. " + hint, key);
        }
        return v;
    }

    /** The spec's "True"/"False" string enums, in any case (JSON booleans too, as the 2021 API had them). */
    Boolean trueFalse(String key) {
        JsonNode v = node(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual()) {
            String t = v.asText().trim();
            if (t.equalsIgnoreCase("true")) {
                return true;
            }
            if (t.equalsIgnoreCase("false")) {
                return false;
            }
        }
        throw bad("Value of Key " + name(key) + " must be either 'True' or 'False'", key);
    }

    List<String> stringList(String key) {
        JsonNode v = node(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw bad("Property '" + name(key) + "' must be an array of strings, such as [\"db1\", \"db2\"]; was "
                    + type(v) + ".", key);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw bad("Property '" + name(key) + "' must contain only strings; found " + type(item) + ".", key);
            }
            out.add(item.asText());
        }
        return out;
    }

    Instant instant(String key) {
        String t = text(key);
        if (t == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDateTime.parse(t).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw bad("Property '" + name(key) + "' must be an ISO-8601 UTC time such as 2025-06-01T18:30:00Z, was '"
                        + t + "'.", key);
            }
        }
    }

    Integer integer(String key) {
        JsonNode v = node(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isInt()) {
            return v.asInt();
        }
        if (v.isTextual() && v.asText().trim().matches("\\d{1,9}")) {
            return Integer.parseInt(v.asText().trim());
        }
        throw bad("Property '" + name(key) + "' must be a whole number, was " + type(v) + ".", key);
    }

    Fields object(String key) {
        JsonNode v = node(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw bad("Property '" + name(key) + "' must be a JSON object, was " + type(v) + ".", key);
        }
        return new Fields((ObjectNode) v, name(key));
    }

    Map<String, String> stringMap(String key) {
        Fields f = object(key);
        if (f == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : f.byLowerKey.values()) {
            if (!e.getValue().isTextual()) {
                throw bad("Property '" + f.name(e.getKey()) + "' must be a string, was " + type(e.getValue()) + ".", key);
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** The full name of a property for messages and {@code error.target}. */
    String name(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    ServiceException bad(String message, String key) {
        return new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, message, name(key));
    }

    private JsonNode node(String key) {
        Map.Entry<String, JsonNode> e = byLowerKey.get(key.toLowerCase(Locale.ROOT));
        return e == null ? null : e.getValue();
    }

    private static String type(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> v.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static Set<String> lower(Set<String> keys) {
        Set<String> out = new TreeSet<>();
        keys.forEach(k -> out.add(k.toLowerCase(Locale.ROOT)));
        return out;
    }
}
