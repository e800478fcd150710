package org.pgmigrate.cli.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.Table;

/** {@code --output table} for registered servers. Stateless. */
final class ServerView {

    private ServerView() {
    }

    static String table(Iterable<JsonNode> servers) {
        Table table = Table.withColumns("Name", "Type", "ResourceGroup", "Host", "Port", "SslMode", "Version",
                "Location");
        for (JsonNode s : servers) {
            JsonNode p = s.path("properties");
            table.row(Json.text(s, "name"), Json.text(s, "type"), resourceGroupOf(Json.text(s, "id")),
                    Json.text(p, "fullyQualifiedDomainName"), Json.text(p, "port"), Json.text(p, "sslMode"),
                    Json.text(p, "version"), Json.text(s, "location"));
        }
        return table.render();
    }

    static String table(JsonNode server) {
        return table(java.util.List.of(server));
    }

    private static String resourceGroupOf(String id) {
        String[] parts = id.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].equalsIgnoreCase("resourceGroups")) {
                return parts[i + 1];
            }
        }
        return "";
    }
}
