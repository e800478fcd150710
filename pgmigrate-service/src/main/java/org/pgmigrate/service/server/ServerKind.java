package org.pgmigrate.service.server;

/** The two ARM resource types a PostgreSQL server is registered under: a target is always a flexible server. */
public enum ServerKind {
    /** {@code Microsoft.DBforPostgreSQL/flexibleServers}: targets, and sources too. */
    FLEXIBLE("flexibleServers"),
    /** {@code Microsoft.DBforPostgreSQL/servers} (Single Server in Azure): sources named by resource ID. */
    SINGLE("servers");

    private final String resourceType;

    ServerKind(String resourceType) {
        this.resourceType = resourceType;
    }

    /** The last segment of the ARM type, as in paths: {@code flexibleServers} or {@code servers}. */
    public String resourceType() {
        return resourceType;
    }

    public String armType() {
        return "Microsoft.DBforPostgreSQL/" + resourceType;
    }

    public static ServerKind fromResourceType(String segment) {
        for (ServerKind k : values()) {
            if (k.resourceType.equalsIgnoreCase(segment)) {
                return k;
            }
        }
        throw new IllegalArgumentException("Unknown server resource type '" + segment + "'; use flexibleServers or servers.");
    }
}
