package org.pgmigrate.cli.client;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pgmigrate.cli.config.ResourceGroup;

/**
 * A request path on the service's ARM API with its query, {@code api-version} included. Each name is
 * percent-encoded as one path segment, so that a name can never step into another resource's path.
 * Immutable.
 */
public record ArmPath(String path, Map<String, String> query, String apiVersion) {

    /** The newest stable api-version (SPEC-2508), which the service accepts. */
    public static final String API_VERSION = "2025-08-01";
    /**
     * The newest api-version whose DELETE of a migration is {@code Migrations_Delete} (cancel an active migration,
     * remove a finished one), which {@code migration delete} needs; from 2025-06-01-preview DELETE only cancels.
     */
    public static final String DELETE_API_VERSION = "2025-01-01-preview";
    static final String PROVIDER = "Microsoft.DBforPostgreSQL";

    public ArmPath {
        query = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    public ArmPath(String path, Map<String, String> query) {
        this(path, query, API_VERSION);
    }

    /** {@code /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DBforPostgreSQL/{type}}. */
    public static ArmPath servers(ResourceGroup group, ServerType type) {
        return new ArmPath("/subscriptions/" + segment(group.subscription()) + "/resourceGroups/"
                + segment(group.name()) + "/providers/" + PROVIDER + "/" + type.resourceType(), Map.of());
    }

    public static ArmPath server(ResourceGroup group, ServerType type, String name) {
        return servers(group, type).child(name);
    }

    public static ArmPath migrations(ResourceGroup group, String targetServer) {
        return server(group, ServerType.FLEXIBLE, targetServer).child("migrations");
    }

    public static ArmPath migration(ResourceGroup group, String targetServer, String migrationName) {
        return migrations(group, targetServer).child(migrationName);
    }

    /** A flexible server's parameters: {@code .../flexibleServers/{server}/configurations}. */
    public static ArmPath configurations(ResourceGroup group, String server) {
        return server(group, ServerType.FLEXIBLE, server).child("configurations");
    }

    public static ArmPath checkMigrationNameAvailability(ResourceGroup group, String targetServer) {
        return server(group, ServerType.FLEXIBLE, targetServer).child("checkMigrationNameAvailability");
    }

    /** This path with one more segment. */
    public ArmPath child(String name) {
        return new ArmPath(path + "/" + segment(name), query, apiVersion);
    }

    /** This path with one more query parameter. */
    public ArmPath with(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(query);
        more.put(key, value);
        return new ArmPath(path, more, apiVersion);
    }

    /** This path sent with another api-version. */
    public ArmPath withApiVersion(String version) {
        return new ArmPath(path, query, version);
    }

    /** The path and query to append to the service's base URL. */
    public String relativeUri() {
        StringBuilder uri = new StringBuilder(path).append("?api-version=").append(segment(apiVersion));
        query.forEach((k, v) -> uri.append('&').append(segment(k)).append('=').append(segment(v)));
        return uri.toString();
    }

    @Override
    public String toString() {
        return relativeUri();
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters. */
    static String segment(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("An ARM resource name cannot be empty");
        }
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
