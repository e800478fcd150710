package org.pgmigrate.cli.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.Table;

/** {@code --output table} for registered servers. Stateless. */
final class ServerView {

    private ServerView() {
    }

    /** One row per server: {@code servers} is a list, or one server. */
    static String table(JsonNode servers) {
        Iterable<JsonNode> rows = servers.isArray() ? servers : java.util.List.of(servers);
        Table table = Table.withColumns("Name", "Type", "ResourceGroup", "Host", "Port", "SslMode", "Version",
                "State", "Location");
        for (JsonNode s : rows) {
            JsonNode p = s.path("properties");
            table.row(Json.text(s, "name"), kind(Json.text(s, "type")), resourceGroupOf(Json.text(s, "id")),
                    Json.text(p, "fullyQualifiedDomainName"), Json.text(p, "port"), Json.text(p, "sslMode"),
                    Json.text(p, "version"), Json.text(p, "state"), Json.text(s, "location"));
        }
        return table.render();
    }

    // The --type spelling: shorter than the ARM type, and what `server show --type` takes.
    private static String kind(String armType) {
        String lower = armType.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith("/flexibleservers") ? "flexible" : lower.endsWith("/servers") ? "single" : armType;
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
