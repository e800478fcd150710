package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;

/**
 * Renders a command's result the way az does: the {@code --query} first, on the result with its keys sorted (az's
 * results are plain dicts, whose json, yaml and tsv come out sorted; a multiselect hash such as
 * {@code {name: name, state: ...}} keeps its own order), then the {@link OutputFormat}. A result the query turns
 * into null prints nothing, as in az. Stateless.
 */
public final class Printer {

    private Printer() {
    }

    /**
     * The text to print. {@code view} is the command's own table (az's table transformer), used for {@code table}
     * without a query; null means az's automatic table. {@code color}: whether jsonc/yamlc may color (a terminal).
     */
    public static String render(OutputFormat format, Query query, JsonNode result, Function<JsonNode, String> view,
                                boolean color) {
        JsonNode data = Json.sorted(result);
        if (query != null) {
            data = query.search(data);
        }
        if (data == null || data.isNull() || data.isMissingNode()) {
            return "";
        }
        return switch (format) {
            case JSON -> Json.pretty(Json.sorted(data)) + "\n";
            case JSONC -> color ? AnsiColors.json(Json.sorted(data)) : Json.pretty(Json.sorted(data)) + "\n";
            case YAML -> Yaml.render(Json.sorted(data));
            case YAMLC -> color ? AnsiColors.yaml(Yaml.render(Json.sorted(data))) : Yaml.render(Json.sorted(data));
            case TSV -> Tsv.render(data);
            case TABLE -> query == null && view != null ? view.apply(result) : AutoTable.render(data);
            case NONE -> "";
        };
    }
}
