package org.pgmigrate.service.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.QualifiedName;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.MigrationDraft;
import org.pgmigrate.service.migration.MigrationFilters;
import org.pgmigrate.service.migration.MigrationMode;
import org.pgmigrate.service.migration.MigrationOption;
import org.pgmigrate.service.migration.MigrationPatch;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.SecretParameters;

/**
 * Reads migration requests (PUT, PATCH, checkMigrationNameAvailability) from the wire: case-insensitive keys,
 * {@code "True"}/{@code "False"} enums, and a 400 naming any unknown or mistyped property. Read-only properties a
 * client may send back from a GET ({@code migrationId}, {@code currentStatus}...) are ignored. Stateless.
 */
public final class MigrationRequests {

    private static final Set<String> TOP = Set.of("location", "tags", "properties");
    private static final Set<String> TOP_READ_ONLY = Set.of("id", "name", "type", "systemData");

    private static final Set<String> PUT_PROPERTIES = Set.of("sourceDbServerResourceId",
            "sourceDbServerFullyQualifiedDomainName", "targetDbServerFullyQualifiedDomainName", "secretParameters",
            "dbsToMigrate", "migrationMode", "migrationOption", "sourceType", "sslMode",
            "setupLogicalReplicationOnSourceDbIfNeeded", "overwriteDbsInTarget", "migrationWindowStartTimeInUtc",
            "migrationWindowEndTimeInUtc", "migrateRoles", "startDataMigration", "triggerCutover",
            "dbsToTriggerCutoverOn", "cancel", "dbsToCancelMigrationOn", "migrationInstanceResourceId",
            "allowReplicaIdentityFull", "filters");
    private static final Set<String> FILTER_KEYS = Set.of("includeSchemas", "excludeSchemas", "includeTables",
            "excludeTables", "excludeTableData");
    private static final Set<String> PATCH_PROPERTIES = Set.of("sourceDbServerResourceId",
            "sourceDbServerFullyQualifiedDomainName", "targetDbServerFullyQualifiedDomainName", "secretParameters",
            "dbsToMigrate", "setupLogicalReplicationOnSourceDbIfNeeded", "overwriteDbsInTarget",
            "migrationWindowStartTimeInUtc", "migrateRoles", "startDataMigration", "triggerCutover",
            "dbsToTriggerCutoverOn", "cancel", "dbsToCancelMigrationOn", "migrationMode");
    private static final Set<String> READ_ONLY_PROPERTIES = Set.of("migrationId", "currentStatus",
            "sourceDbServerMetadata", "targetDbServerMetadata", "targetDbServerResourceId", "verificationDetails",
            "migrationName", "migrationDetailsLevel");
    private static final Set<String> SECRET_KEYS = Set.of("adminCredentials", "sourceServerUsername", "targetServerUsername");
    private static final Set<String> CREDENTIAL_KEYS = Set.of("sourceServerPassword", "targetServerPassword");
    private static final Set<String> SOURCE_TYPES = Set.of("OnPremises", "AWS", "GCP", "AzureVM", "PostgreSQLSingleServer",
            "AWS_RDS", "AWS_AURORA", "AWS_EC2", "GCP_CloudSQL", "GCP_AlloyDB", "GCP_Compute", "EDB", "EDB_Oracle_Server",
            "EDB_PostgreSQL", "PostgreSQLFlexibleServer", "PostgreSQLCosmosDB", "Huawei_RDS", "Huawei_Compute",
            "Heroku_PostgreSQL", "Crunchy_PostgreSQL", "ApsaraDB_RDS", "Digital_Ocean_Droplets", "Digital_Ocean_PostgreSQL",
            "Supabase_PostgreSQL");
    private static final Set<String> SSL_MODES = Set.of("Disable", "Allow", "Prefer", "Require", "VerifyCA", "VerifyFull");

    private MigrationRequests() {
    }

    public static MigrationDraft parsePut(ObjectNode body) {
        Fields top = new Fields(body, "").allowOnly(TOP, TOP_READ_ONLY);
        Fields p = top.object("properties");
        if (p == null) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "Property 'properties' is required: "
                    + "{\"properties\": {\"sourceDbServerResourceId\": ..., \"dbsToMigrate\": [...], ...}}.", "properties");
        }
        p.allowOnly(PUT_PROPERTIES, READ_ONLY_PROPERTIES);
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.sourceDbServerResourceId = p.text("sourceDbServerResourceId");
        b.sourceDbServerFullyQualifiedDomainName = p.text("sourceDbServerFullyQualifiedDomainName");
        b.targetDbServerFullyQualifiedDomainName = p.text("targetDbServerFullyQualifiedDomainName");
        b.migrationInstanceResourceId = p.text("migrationInstanceResourceId");
        if (p.has("migrationMode")) {
            b.migrationMode = mode(p);
        }
        if (p.has("migrationOption")) {
            b.migrationOption = option(p);
        }
        b.sourceType = sourceType(p);
        b.sslMode = sslMode(p);
        b.dbsToMigrate = p.stringList("dbsToMigrate");
        b.setupLogicalReplicationOnSourceDbIfNeeded = orFalse(p.trueFalse("setupLogicalReplicationOnSourceDbIfNeeded"));
        b.overwriteDbsInTarget = orFalse(p.trueFalse("overwriteDbsInTarget"));
        b.migrateRoles = orFalse(p.trueFalse("migrateRoles"));
        b.migrationWindowStartTimeInUtc = p.instant("migrationWindowStartTimeInUtc");
        b.migrationWindowEndTimeInUtc = p.instant("migrationWindowEndTimeInUtc");
        b.startDataMigration = orFalse(p.trueFalse("startDataMigration"));
        b.triggerCutover = orFalse(p.trueFalse("triggerCutover"));
        b.dbsToTriggerCutoverOn = p.stringList("dbsToTriggerCutoverOn");
        b.cancel = orFalse(p.trueFalse("cancel"));
        b.dbsToCancelMigrationOn = p.stringList("dbsToCancelMigrationOn");
        b.allowReplicaIdentityFull = orFalse(p.trueFalse("allowReplicaIdentityFull"));
        b.filters = filters(p);
        SecretParameters secrets = secrets(p, true);
        return new MigrationDraft(top.text("location"), top.stringMap("tags"), b.build(), secrets);
    }

    public static MigrationPatch parsePatch(ObjectNode body) {
        Fields top = new Fields(body, "").allowOnly(Set.of("properties", "tags"), Set.of("id", "name", "type", "location"));
        Fields p = top.object("properties");
        if (p == null) {
            if (!top.has("tags")) {
                throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "The PATCH body changes nothing. Send "
                        + "{\"properties\": {...}} with at least one mutable property, such as {\"properties\": "
                        + "{\"cancel\": \"True\"}}, or {\"tags\": {...}}.", "properties");
            }
            return new MigrationPatch(top.stringMap("tags"), null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null);
        }
        p.allowOnly(PATCH_PROPERTIES, READ_ONLY_PROPERTIES);
        return new MigrationPatch(top.stringMap("tags"), p.text("sourceDbServerResourceId"),
                p.text("sourceDbServerFullyQualifiedDomainName"), p.text("targetDbServerFullyQualifiedDomainName"),
                secrets(p, false), p.stringList("dbsToMigrate"), p.trueFalse("setupLogicalReplicationOnSourceDbIfNeeded"),
                p.trueFalse("overwriteDbsInTarget"), p.instant("migrationWindowStartTimeInUtc"), p.trueFalse("migrateRoles"),
                p.trueFalse("startDataMigration"), p.trueFalse("triggerCutover"), p.stringList("dbsToTriggerCutoverOn"),
                p.trueFalse("cancel"), p.stringList("dbsToCancelMigrationOn"), p.has("migrationMode") ? mode(p) : null);
    }

    /** {@code {"name": ..., "type": ...}} of checkMigrationNameAvailability; returns the name. */
    public static String parseNameCheck(ObjectNode body) {
        Fields f = new Fields(body, "").allowOnly(Set.of("name", "type"), Set.of("nameAvailable", "reason", "message"));
        String type = f.requiredText("type", "Use \"Microsoft.DBforPostgreSQL/flexibleServers/migrations\".");
        if (!type.equalsIgnoreCase(MigrationResources.TYPE)) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "Property 'type' must be '"
                    + MigrationResources.TYPE + "', was '" + type + "'.", "type");
        }
        String name = f.text("name");
        if (name == null) {
            throw f.bad("Property 'name' is required: the migration name to check.", "name");
        }
        return name;
    }

    /**
     * pgmigrate's {@code filters}: each list's names are read here, so that a name that cannot be read, or a name in
     * two lists, is a 400 naming the key; whether the source has them is checked by validation and by the run,
     * before anything is written.
     */
    private static MigrationFilters filters(Fields p) {
        Fields f = p.object("filters");
        if (f == null) {
            return null;
        }
        f.allowOnly(FILTER_KEYS, Set.of());
        MigrationFilters filters = new MigrationFilters(f.stringList("includeSchemas"), f.stringList("excludeSchemas"),
                f.stringList("includeTables"), f.stringList("excludeTables"), f.stringList("excludeTableData"));
        readable(f, "includeSchemas", filters.includeSchemas(), true);
        readable(f, "excludeSchemas", filters.excludeSchemas(), true);
        readable(f, "includeTables", filters.includeTables(), false);
        readable(f, "excludeTables", filters.excludeTables(), false);
        readable(f, "excludeTableData", filters.excludeTableData(), false);
        try {
            filters.toTableFilter();
        } catch (EngineException e) {
            throw f.bad(e.getMessage(), "filters");
        }
        return filters;
    }

    private static void readable(Fields f, String key, List<String> names, boolean schemas) {
        for (String name : names) {
            try {
                if (schemas) {
                    QualifiedName.parseSchema(name);
                } else {
                    QualifiedName.parseTable(name);
                }
            } catch (EngineException e) {
                throw f.bad("Property '" + f.name(key) + "': " + e.getMessage(), key);
            }
        }
    }

    private static SecretParameters secrets(Fields p, boolean required) {
        Fields s = p.object("secretParameters");
        if (s == null) {
            if (required) {
                throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "Property 'properties.secretParameters' "
                        + "is required: {\"adminCredentials\": {\"sourceServerPassword\": ..., \"targetServerPassword\": "
                        + "...}, \"sourceServerUsername\": ..., \"targetServerUsername\": ...}.", "properties.secretParameters");
            }
            return null;
        }
        s.allowOnly(SECRET_KEYS, Set.of());
        Fields admin = s.object("adminCredentials");
        if (admin == null && required) {
            throw s.bad("Property 'properties.secretParameters.adminCredentials' is required, with sourceServerPassword "
                    + "and targetServerPassword.", "adminCredentials");
        }
        String sourcePassword = null;
        String targetPassword = null;
        if (admin != null) {
            admin.allowOnly(CREDENTIAL_KEYS, Set.of());
            sourcePassword = admin.text("sourceServerPassword");
            targetPassword = admin.text("targetServerPassword");
            if (required && (sourcePassword == null || targetPassword == null)) {
                String missing = sourcePassword == null ? "sourceServerPassword" : "targetServerPassword";
                throw admin.bad("Property '" + admin.name(missing) + "' is required.", missing);
            }
        }
        return new SecretParameters(sourcePassword, targetPassword, s.text("sourceServerUsername"),
                s.text("targetServerUsername"));
    }

    private static MigrationMode mode(Fields p) {
        String t = p.text("migrationMode");
        for (MigrationMode m : MigrationMode.values()) {
            if (m.wireName().equalsIgnoreCase(t)) {
                return m;
            }
        }
        throw p.bad("Property 'properties.migrationMode' must be Offline or Online, was '" + t + "'.", "migrationMode");
    }

    private static MigrationOption option(Fields p) {
        String t = p.text("migrationOption");
        for (MigrationOption o : MigrationOption.values()) {
            if (o.wireName().equalsIgnoreCase(t)) {
                return o;
            }
        }
        throw p.bad("Property 'properties.migrationOption' must be Validate, Migrate or ValidateAndMigrate, was '"
                + t + "'.", "migrationOption");
    }

    private static String sourceType(Fields p) {
        String t = p.text("sourceType");
        if (t == null) {
            return null;
        }
        return SOURCE_TYPES.stream().filter(v -> v.equalsIgnoreCase(t)).findFirst().orElseThrow(() -> p.bad(
                "Property 'properties.sourceType' must be one of " + String.join(", ", new java.util.TreeSet<>(SOURCE_TYPES))
                        + "; was '" + t + "'.", "sourceType"));
    }

    /** Prefer, Require, VerifyCA, VerifyFull (libpq spellings such as verify-full accepted too). */
    static String sslMode(Fields p) {
        String t = p.text("sslMode");
        if (t == null) {
            return null;
        }
        String key = t.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        return SSL_MODES.stream().filter(v -> v.toLowerCase(Locale.ROOT).equals(key)).findFirst().orElseThrow(() -> p.bad(
                "Property '" + p.name("sslMode") + "' must be Prefer, Require, VerifyCA or VerifyFull (or Disable, Allow), was '" + t + "'.",
                "sslMode"));
    }

    private static boolean orFalse(Boolean b) {
        return b != null && b;
    }
}
