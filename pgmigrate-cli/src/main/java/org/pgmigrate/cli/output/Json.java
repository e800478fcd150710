package org.pgmigrate.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * JSON as az prints it: two-space indent, {@code "key": value}, one array element per line. Thread-safe (Jackson's
 * writers are immutable).
 */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withArrayEmptySeparator("")
                    .withObjectEmptySeparator(""))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
            .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n")));

    private Json() {
    }

    /** The shared mapper: read-only configuration, safe to use from any thread. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A deep copy of {@code node} whose objects list their fields sorted by name, as az's results (plain Python
     * dicts) come out of {@code json.dumps(sort_keys=True)}, {@code yaml.safe_dump} and tsv.
     */
    public static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = MAPPER.createObjectNode();
            new TreeMap<>(node.properties().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                    .forEach((k, v) -> copy.set(k, sorted(v)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = MAPPER.createArrayNode();
            node.forEach(e -> copy.add(sorted(e)));
            return copy;
        }
        return node;
    }

    /** A node's text, or "" when it is missing or null; numbers and booleans as written. */
    public static String text(JsonNode node, String... path) {
        JsonNode current = node;
        for (String name : path) {
            current = current == null ? null : current.get(name);
        }
        return current == null || current.isNull() || current.isContainerNode() ? "" : current.asText();
    }
}
