package org.pgmigrate.service.server;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names a server as ARM does: subscription, resource group, type and name. Names keep the caller's spelling for
 * display, but compare case-insensitively (ARM resource names are case-insensitive), so use {@link #normalized()}
 * for lookups. Immutable.
 */
public record ServerKey(String subscription, String resourceGroup, ServerKind kind, String name) {

    private static final Pattern RESOURCE_ID = Pattern.compile(
            "^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.DBforPostgreSQL/(flexibleServers|servers)/([^/]+)/?$",
            Pattern.CASE_INSENSITIVE);

    /** The ARM resource ID. */
    public String id() {
        return "/subscriptions/" + subscription + "/resourceGroups/" + resourceGroup
                + "/providers/Microsoft.DBforPostgreSQL/" + kind.resourceType() + "/" + name;
    }

    /** The same key lower-cased, for equality and store lookups. */
    public ServerKey normalized() {
        return new ServerKey(subscription.toLowerCase(Locale.ROOT), resourceGroup.toLowerCase(Locale.ROOT), kind,
                name.toLowerCase(Locale.ROOT));
    }

    public boolean sameAs(ServerKey other) {
        return normalized().equals(other.normalized());
    }

    /** Whether {@code text} looks like an ARM resource ID (as opposed to the {@code host:port@user} form). */
    public static boolean isResourceId(String text) {
        return text != null && text.trim().toLowerCase(Locale.ROOT).startsWith("/subscriptions/");
    }

    /** Parses a server's ARM resource ID; throws {@link IllegalArgumentException} with the expected form. */
    public static ServerKey parseResourceId(String text) {
        Matcher m = RESOURCE_ID.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a PostgreSQL server resource ID. Expected "
                    + "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.DBforPostgreSQL/"
                    + "servers/{name} (or flexibleServers/{name}), or the form host:port@user.");
        }
        return new ServerKey(m.group(1), m.group(2), ServerKind.fromResourceType(m.group(3)), m.group(4));
    }
}
