package org.pgmigrate.cli.client;

import java.util.Locale;
import org.pgmigrate.cli.output.Choice;

/**
 * The two kinds of registered server: a flexible server (a migration target, ARM {@code flexibleServers}) and a
 * single server (a source named by an ARM ID such as the seed's {@code .../servers/<source server name>}).
 */
public enum ServerType {
    FLEXIBLE("flexibleServers"),
    SINGLE("servers");

    private final String resourceType;

    ServerType(String resourceType) {
        this.resourceType = resourceType;
    }

    /** The ARM resource type segment: {@code flexibleServers} or {@code servers}. */
    public String resourceType() {
        return resourceType;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses az's spelling in any case. */
    public static final class Converter extends Choice<ServerType> {
        public Converter() {
            super(ServerType.class);
        }
    }
}
