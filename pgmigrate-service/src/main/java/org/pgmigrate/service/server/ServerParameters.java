package org.pgmigrate.service.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

/**
 * The server parameters a flexible server (a migration's target) takes, as Azure's
 * {@code az postgres flexible-server parameter set|show|list} sets them: the migration service reads the target's
 * {@code azure.migration_*} parameters, and pgmigrate adds its job counts. Names compare without case; values are
 * checked and stored in their canonical spelling. Stateless.
 *
 * <p>Where pgmigrate's default differs from Azure's, the reason is in the description: binary COPY is on by default
 * (pgmigrate uses it only for tables whose every column type is binary-portable, and falls back to text for the
 * others), and roles are migrated whenever a migration asks for them ({@code migrateRoles}) rather than never.
 */
public final class ServerParameters {

    /** One parameter: its ARM {@code configurations} properties, and how a value is checked. */
    public record Definition(String name, String description, String dataType, String defaultValue,
                             String allowedValues, long min, long max) {

        /** The value in its canonical spelling, or a 400 naming the parameter and what it takes. */
        public String normalize(String value) {
            String v = value.trim();
            if (dataType.equals("Boolean")) {
                String lower = v.toLowerCase(Locale.ROOT);
                if (List.of("on", "true", "yes", "1").contains(lower) && max == 1) {
                    return "on";
                }
                if (List.of("off", "false", "no", "0").contains(lower)) {
                    return "off";
                }
            } else {
                try {
                    long n = Long.parseLong(v);
                    if (n >= min && n <= max) {
                        return Long.toString(n);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "The value '" + value + "' is not valid"
                    + " for server parameter '" + name + "': it takes " + allowedValues + ".", "properties.value");
        }
    }

    private static final Map<String, Definition> ALL = new LinkedHashMap<>();

    static {
        bool("azure.migration_copy_with_binary", "on", "When on, table data is copied with binary COPY wherever every"
                + " column type of the table has binary send and receive functions (text COPY for the others). Off:"
                + " text COPY everywhere. pgmigrate's default is on; Azure's is off.");
        integer("azure.migration_table_split_size", "1024", 1, 204800, "Tables larger than this many megabytes are"
                + " copied in parts, in parallel. pgmigrate's default is 1024; Azure's is 20480.");
        bool("azure.migration_skip_analyze", "off", "When on, the target's tables are not analyzed after they are"
                + " loaded.");
        bool("azure.migration_skip_large_objects", "off", "When on, the migration of large objects such as BLOBs is"
                + " skipped: none is created or copied on the target, and verification does not compare them.");
        bool("azure.migration_skip_extensions", "off", "When on, the migration of extensions is skipped: CREATE"
                + " EXTENSION (and COMMENT ON EXTENSION) is not restored, and verification does not require the"
                + " source's extensions on the target. Objects that use a skipped extension fail the schema restore.");
        bool("azure.migration_skip_role_user", "off", "When on, roles are never migrated, even when a migration sets"
                + " migrateRoles. pgmigrate's default is off; Azure's is on (read-only).");
        integer("pgmigrate.migration_table_jobs", "0", 0, 64, "Tables copied at once in each database; 0 takes the"
                + " service's --table-jobs.");
        integer("pgmigrate.migration_index_jobs", "0", 0, 64, "Indexes built at once in each database; 0 takes the"
                + " service's --index-jobs.");
    }

    private ServerParameters() {
    }

    public static List<Definition> all() {
        return List.copyOf(ALL.values());
    }

    public static Optional<Definition> find(String name) {
        return Optional.ofNullable(name == null ? null : ALL.get(name.trim().toLowerCase(Locale.ROOT)));
    }

    /** The definition, or a 404 that lists the parameters there are. */
    public static Definition require(String name) {
        return find(name).orElseThrow(() -> new ServiceException(ServiceError.RESOURCE_NOT_FOUND, "The server parameter '"
                + name + "' does not exist. The parameters are: " + String.join(", ", ALL.keySet()) + "."));
    }

    /** The value in effect on a server: the user's, else the default. */
    public static String value(RegisteredServer server, String name) {
        Definition d = require(name);
        return server == null ? d.defaultValue() : server.parameters().getOrDefault(d.name(), d.defaultValue());
    }

    private static void bool(String name, String defaultValue, String description) {
        ALL.put(name, new Definition(name, description, "Boolean", defaultValue, "on, off", 0, 1));
    }

    private static void integer(String name, String defaultValue, long min, long max, String description) {
        ALL.put(name, new Definition(name, description, "Integer", defaultValue, "an integer from " + min + " to " + max,
                min, max));
    }
}
