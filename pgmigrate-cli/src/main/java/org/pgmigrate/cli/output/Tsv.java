package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code --output tsv}, as az (knack's {@code _TsvOutput}) writes it, for scripts: a list gives a line per element, a
 * single result one line. On a line, an object's values go tab-separated in field order and a list's elements
 * likewise, with no keys; a value that is itself an object is left empty and a list is replaced by its length, so
 * that every line has the same columns. A lone scalar is printed as it is ({@code false}, not {@code "false"}).
 * Inside a line, true and false are written {@code True}/{@code False} and null {@code None}, as Python's str() writes
 * them in az. Stateless.
 */
final class Tsv {

    private Tsv() {
    }

    static String render(JsonNode result) {
        StringBuilder out = new StringBuilder();
        if (result.isArray()) {
            result.forEach(row -> row(row, out));
        } else {
            row(result, out);
        }
        return out.toString();
    }

    private static void row(JsonNode row, StringBuilder out) {
        if (row.isContainerNode()) {
            String separator = "";
            for (JsonNode value : row) {
                out.append(separator).append(cell(value));
                separator = "\t";
            }
        } else if (row.isBoolean()) {
            out.append(row.asBoolean() ? "true" : "false");
        } else {
            out.append(cell(row));
        }
        out.append('\n');
    }

    private static String cell(JsonNode value) {
        if (value.isArray()) {
            return Integer.toString(value.size());
        }
        if (value.isObject()) {
            return "";
        }
        return scalar(value);
    }

    /** A scalar as Python's str() writes the value az decoded from JSON. */
    static String scalar(JsonNode value) {
        if (value.isNull() || value.isMissingNode()) {
            return "None";
        }
        if (value.isBoolean()) {
            return value.asBoolean() ? "True" : "False";
        }
        return value.asText();
    }
}
