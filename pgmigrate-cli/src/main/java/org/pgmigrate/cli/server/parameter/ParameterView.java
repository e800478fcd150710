package org.pgmigrate.cli.server.parameter;

import com.fasterxml.jackson.databind.JsonNode;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.Table;

/** {@code --output table} for server parameters: one row each. Stateless. */
final class ParameterView {

    private ParameterView() {
    }

    static String table(JsonNode parameters) {
        Iterable<JsonNode> rows = parameters.isArray() ? parameters : java.util.List.of(parameters);
        Table table = Table.withColumns("Name", "Value", "Source", "DefaultValue", "AllowedValues");
        for (JsonNode c : rows) {
            JsonNode p = c.path("properties");
            table.row(Json.text(c, "name"), Json.text(p, "value"), Json.text(p, "source"), Json.text(p, "defaultValue"),
                    Json.text(p, "allowedValues"));
        }
        return table.render();
    }
}
