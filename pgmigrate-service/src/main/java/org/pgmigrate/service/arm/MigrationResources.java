package org.pgmigrate.service.arm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.ServerMetadata;
import org.pgmigrate.service.migration.ValidationDetails;
import org.pgmigrate.service.migration.VerificationDetails;

/**
 * Writes migrations as the ARM resource (spec section 2.4): property names and casing as in the spec,
 * {@code "True"}/{@code "False"} strings, times in ISO-8601 UTC. {@code secretParameters} is never written.
 * {@code validationDetails} is written in the spec's shape (an item's {@code messages} only when it has some). Extra
 * properties: {@code allowReplicaIdentityFull} ("True"/"False"), {@code verificationDetails} (per database: {@code scope}
 * (Copy, BaseCopy or AfterCutover), {@code tables} with {@code sourceRows}, {@code targetRows}, {@code equal} and a
 * {@code message} when not, {@code sequenceMismatches}, {@code objectMismatches}, {@code warnings}), and per
 * database {@code pendingBytes}, {@code copiedRows}, {@code copiedBytes}, {@code totalBytes}. Stateless.
 */
public final class MigrationResources {

    public static final String TYPE = "Microsoft.DBforPostgreSQL/flexibleServers/migrations";

    private MigrationResources() {
    }

    /** Lists go in creation order; the id makes the key unique. Fixed-width numbers, so text order is time order. */
    public static String listOrder(Migration m) {
        return String.format("%012d.%09d/%s", m.createdAt().getEpochSecond(), m.createdAt().getNano(), m.migrationId());
    }

    public static ObjectNode write(Migration m) {
        ObjectNode root = JsonBodies.object();
        root.put("id", m.key().id());
        root.put("name", m.key().name());
        root.put("type", TYPE);
        root.put("location", m.location());
        ObjectNode tags = root.putObject("tags");
        m.tags().forEach(tags::put);
        ObjectNode system = root.putObject("systemData");
        putTime(system, "createdAt", m.createdAt());
        putTime(system, "lastModifiedAt", m.updatedAt());
        root.set("properties", properties(m));
        return root;
    }

    public static ObjectNode nameAvailability(String name, boolean available, String reason, String message) {
        ObjectNode root = JsonBodies.object();
        root.put("name", name);
        root.put("type", TYPE);
        root.put("nameAvailable", available);
        if (!available) {
            root.put("reason", reason);
            root.put("message", message);
        }
        return root;
    }

    private static ObjectNode properties(Migration m) {
        MigrationSpec s = m.spec();
        ObjectNode p = JsonBodies.object();
        p.put("migrationId", m.migrationId());
        p.set("currentStatus", status(m));
        p.put("migrationMode", s.migrationMode().wireName());
        p.put("migrationOption", s.migrationOption().wireName());
        putText(p, "sourceType", s.sourceType());
        putText(p, "sslMode", s.sslMode());
        putMetadata(p, "sourceDbServerMetadata", m.sourceServerMetadata());
        putMetadata(p, "targetDbServerMetadata", m.targetServerMetadata());
        putText(p, "sourceDbServerResourceId", s.sourceDbServerResourceId());
        putText(p, "sourceDbServerFullyQualifiedDomainName", s.sourceDbServerFullyQualifiedDomainName());
        putText(p, "targetDbServerFullyQualifiedDomainName", s.targetDbServerFullyQualifiedDomainName());
        p.put("targetDbServerResourceId", m.key().target().id());
        putText(p, "migrationInstanceResourceId", s.migrationInstanceResourceId());
        putList(p, "dbsToMigrate", s.dbsToMigrate());
        putTrueFalse(p, "setupLogicalReplicationOnSourceDbIfNeeded", s.setupLogicalReplicationOnSourceDbIfNeeded());
        putTrueFalse(p, "overwriteDbsInTarget", s.overwriteDbsInTarget());
        putTrueFalse(p, "migrateRoles", s.migrateRoles());
        putTime(p, "migrationWindowStartTimeInUtc",
                s.migrationWindowStartTimeInUtc() != null ? s.migrationWindowStartTimeInUtc() : m.createdAt());
        putTime(p, "migrationWindowEndTimeInUtc", s.migrationWindowEndTimeInUtc());
        putTrueFalse(p, "startDataMigration", s.startDataMigration());
        putTrueFalse(p, "triggerCutover", s.triggerCutover());
        putList(p, "dbsToTriggerCutoverOn", s.dbsToTriggerCutoverOn());
        putTrueFalse(p, "cancel", s.cancel());
        putList(p, "dbsToCancelMigrationOn", s.dbsToCancelMigrationOn());
        putTrueFalse(p, "allowReplicaIdentityFull", s.allowReplicaIdentityFull());
        if (s.filters() != null) {
            ObjectNode f = p.putObject("filters");
            putList(f, "includeSchemas", s.filters().includeSchemas());
            putList(f, "excludeSchemas", s.filters().excludeSchemas());
            putList(f, "includeTables", s.filters().includeTables());
            putList(f, "excludeTables", s.filters().excludeTables());
            putList(f, "excludeTableData", s.filters().excludeTableData());
        }
        if (m.verificationDetails() != null) {
            p.set("verificationDetails", verification(m.verificationDetails()));
        }
        return p;
    }

    private static ObjectNode status(Migration m) {
        ObjectNode status = JsonBodies.object();
        status.put("state", m.status().state().wireName());
        status.put("error", m.error());
        ObjectNode sub = status.putObject("currentSubStateDetails");
        sub.put("currentSubState", m.status().subState().wireName());
        ObjectNode dbs = sub.putObject("dbDetails");
        for (Map.Entry<String, DatabaseDetails> e : m.dbDetails().entrySet()) {
            dbs.set(e.getKey(), database(e.getValue()));
        }
        if (m.validationDetails() != null) {
            sub.set("validationDetails", validation(m.validationDetails()));
        }
        return status;
    }

    private static ObjectNode database(DatabaseDetails d) {
        ObjectNode o = JsonBodies.object();
        o.put("databaseName", d.databaseName());
        o.put("migrationState", d.migrationState().wireName());
        putText(o, "migrationOperation", d.migrationOperation());
        putTime(o, "startedOn", d.startedOn());
        putTime(o, "endedOn", d.endedOn());
        o.put("fullLoadQueuedTables", d.fullLoadQueuedTables());
        o.put("fullLoadErroredTables", d.fullLoadErroredTables());
        o.put("fullLoadLoadingTables", d.fullLoadLoadingTables());
        o.put("fullLoadCompletedTables", d.fullLoadCompletedTables());
        o.put("cdcUpdateCounter", d.cdcUpdateCounter());
        o.put("cdcDeleteCounter", d.cdcDeleteCounter());
        o.put("cdcInsertCounter", d.cdcInsertCounter());
        o.put("appliedChanges", d.appliedChanges());
        o.put("incomingChanges", d.incomingChanges());
        o.put("latency", d.latency());
        o.put("pendingBytes", d.pendingBytes());
        o.put("copiedRows", d.copiedRows());
        o.put("copiedBytes", d.copiedBytes());
        o.put("totalBytes", d.totalBytes());
        putText(o, "message", d.message());
        return o;
    }

    private static ObjectNode validation(ValidationDetails v) {
        ObjectNode o = JsonBodies.object();
        putText(o, "status", v.status());
        putTime(o, "validationStartTimeInUtc", v.validationStartTimeInUtc());
        putTime(o, "validationEndTimeInUtc", v.validationEndTimeInUtc());
        ArrayNode server = o.putArray("serverLevelValidationDetails");
        if (v.serverLevelValidationDetails() != null) {
            v.serverLevelValidationDetails().forEach(i -> server.add(item(i)));
        }
        ArrayNode dbs = o.putArray("dbLevelValidationDetails");
        if (v.dbLevelValidationDetails() != null) {
            for (ValidationDetails.DatabaseSummary d : v.dbLevelValidationDetails()) {
                ObjectNode db = dbs.addObject();
                db.put("databaseName", d.databaseName());
                putTime(db, "startedOn", d.startedOn());
                putTime(db, "endedOn", d.endedOn());
                ArrayNode summary = db.putArray("summary");
                if (d.summary() != null) {
                    d.summary().forEach(i -> summary.add(item(i)));
                }
            }
        }
        return o;
    }

    private static ObjectNode item(ValidationDetails.Item i) {
        ObjectNode o = JsonBodies.object();
        o.put("type", i.type());
        o.put("state", i.state());
        if (i.messages() != null && !i.messages().isEmpty()) {
            ArrayNode messages = o.putArray("messages");
            i.messages().forEach(msg -> messages.addObject().put("state", msg.state()).put("message", msg.message()));
        }
        return o;
    }

    private static ObjectNode verification(VerificationDetails v) {
        ObjectNode o = JsonBodies.object();
        o.put("status", v.status());
        ArrayNode dbs = o.putArray("databases");
        if (v.databases() != null) {
            for (VerificationDetails.Database d : v.databases()) {
                ObjectNode db = dbs.addObject().put("databaseName", d.databaseName()).put("status", d.status());
                putText(db, "scope", d.scope());
                ArrayNode tables = db.putArray("tables");
                if (d.tables() != null) {
                    for (VerificationDetails.Table t : d.tables()) {
                        ObjectNode table = tables.addObject().put("table", t.table()).put("sourceRows", t.sourceRows())
                                .put("targetRows", t.targetRows()).put("equal", t.equal());
                        putText(table, "message", t.message());
                    }
                }
                putList(db, "sequenceMismatches", d.sequenceMismatches());
                putList(db, "objectMismatches", d.objectMismatches());
                putList(db, "warnings", d.warnings());
            }
        }
        return o;
    }

    // The spec's DbServerMetadata: location, version, storageMb (sku: none for a server pgmigrate does not host).
    private static void putMetadata(ObjectNode o, String key, ServerMetadata metadata) {
        if (metadata == null) {
            return;
        }
        ObjectNode m = o.putObject(key);
        putText(m, "location", metadata.location());
        putText(m, "version", metadata.version());
        if (metadata.storageMb() != null) {
            m.put("storageMb", metadata.storageMb());
        }
    }

    private static void putText(ObjectNode o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    private static void putTime(ObjectNode o, String key, Instant value) {
        if (value != null) {
            o.put(key, value.toString());
        }
    }

    private static void putTrueFalse(ObjectNode o, String key, boolean value) {
        o.put(key, value ? "True" : "False");
    }

    private static void putList(ObjectNode o, String key, List<String> values) {
        if (values != null) {
            ArrayNode a = o.putArray(key);
            values.forEach(a::add);
        }
    }
}
