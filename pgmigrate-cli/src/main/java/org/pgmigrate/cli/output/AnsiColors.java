package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jsonc} and {@code yamlc}: the JSON and YAML outputs with the colors az gets from pygments' terminal
 * formatter: keys bright blue, strings yellow, numbers, true, false and null blue. Stateless.
 */
final class AnsiColors {

    static final String KEY = "\u001b[94m";
    static final String STRING = "\u001b[33m";
    static final String LITERAL = "\u001b[34m";
    static final String RESET = "\u001b[39;49;00m";

    /** {@code yaml: key: value} and {@code - key: value}: the key, up to the colon that ends it. */
    private static final Pattern YAML_KEY = Pattern.compile("^(\\s*(?:- )*)([^\\s#'\"\\-][^:]*|\"[^\"]*\"|'[^']*'):(\\s|$)");

    private AnsiColors() {
    }

    /** The same layout as {@link Json#pretty}, colored, with a final newline. */
    static String json(JsonNode node) {
        StringBuilder out = new StringBuilder();
        json(node, out, "");
        return out.append('\n').toString();
    }

    private static void json(JsonNode node, StringBuilder out, String indent) {
        if (node.isObject()) {
            if (node.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{\n");
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                out.append(indent).append("  ").append(KEY).append(new TextNode(f.getKey())).append(RESET).append(": ");
                json(f.getValue(), out, indent + "  ");
                out.append(fields.hasNext() ? ",\n" : "\n");
            }
            out.append(indent).append('}');
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append("[\n");
            for (int i = 0; i < node.size(); i++) {
                out.append(indent).append("  ");
                json(node.get(i), out, indent + "  ");
                out.append(i < node.size() - 1 ? ",\n" : "\n");
            }
            out.append(indent).append(']');
        } else {
            out.append(node.isTextual() ? STRING : LITERAL).append(node).append(RESET);
        }
    }

    /** YAML text with each mapping key colored. */
    static String yaml(String text) {
        StringBuilder out = new StringBuilder();
        text.lines().forEach(line -> {
            Matcher m = YAML_KEY.matcher(line);
            out.append(m.find() ? m.group(1) + KEY + m.group(2) + RESET + ":" + line.substring(m.end(2) + 1) : line)
                    .append('\n');
        });
        return out.toString();
    }
}
