package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.cli.CliException;

/**
 * az's automatic {@code --output table} (knack's {@code _TableOutput}), used for a {@code --query} result and where a
 * command has no view of its own: one row per element of a list (or one for a single result); an object gives a
 * column per field whose value is a scalar (not null, not a list or an object), named by the field with its first
 * letter in capitals, skipping {@code id}, {@code type} and {@code etag}; a list gives Column1, Column2...; a scalar
 * the column Result. Columns come in the order their fields first appear. Stateless.
 */
final class AutoTable {

    private static final Set<String> SKIPPED = Set.of("id", "type", "etag");

    private AutoTable() {
    }

    static String render(JsonNode result) {
        List<JsonNode> items = new ArrayList<>();
        if (result.isArray()) {
            result.forEach(items::add);
        } else {
            items.add(result);
        }
        if (items.isEmpty()) {
            return "\n";
        }
        List<Map<String, String>> rows = items.stream().map(AutoTable::row).toList();
        List<String> columns = new ArrayList<>();
        rows.forEach(r -> r.keySet().stream().filter(c -> !columns.contains(c)).forEach(columns::add));
        if (columns.isEmpty()) {
            throw CliException.invalidInput("Table output unavailable: the result has no field that holds a single "
                    + "value. Use the --query option to pick fields, e.g. --query \"[].{Name: name, State: "
                    + "properties.currentStatus.state}\", or another --output.");
        }
        Table table = Table.withColumns(columns.toArray(String[]::new));
        rows.forEach(r -> table.row(columns.stream().map(c -> r.getOrDefault(c, "")).toArray(String[]::new)));
        return table.render();
    }

    private static Map<String, String> row(JsonNode item) {
        Map<String, String> row = new LinkedHashMap<>();
        if (item.isObject()) {
            item.properties().forEach(f -> {
                JsonNode v = f.getValue();
                if (!SKIPPED.contains(f.getKey()) && !v.isNull() && !v.isContainerNode()) {
                    row.put(capitalized(f.getKey()), Tsv.scalar(v));
                }
            });
        } else if (item.isArray()) {
            for (int i = 0; i < item.size(); i++) {
                JsonNode v = item.get(i);
                row.put("Column" + (i + 1), v.isContainerNode() ? v.toString() : Tsv.scalar(v));
            }
        } else {
            row.put("Result", Tsv.scalar(item));
        }
        return row;
    }

    private static String capitalized(String key) {
        return key.isEmpty() ? key : Character.toUpperCase(key.charAt(0)) + key.substring(1);
    }
}
