package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.engine.progress.ByteUnits;

/**
 * Human views of the ARM migration resource: one row per migration for {@code list -o table}, and the detailed
 * status with per-database progress for {@code show -o table} and {@code show --watch}. Stateless.
 */
public final class MigrationView {

    /** States after which a migration never changes again. */
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled", "validationfailed");

    private MigrationView() {
    }

    public static boolean isTerminal(JsonNode migration) {
        return TERMINAL.contains(state(migration).toLowerCase(Locale.ROOT));
    }

    public static String state(JsonNode migration) {
        return Json.text(migration, "properties", "currentStatus", "state");
    }

    public static String subState(JsonNode migration) {
        return Json.text(migration, "properties", "currentStatus", "currentSubStateDetails", "currentSubState");
    }

    /** Longest error shown in a row of {@code list -o table}: a migration's error can run to many lines. */
    static final int LIST_ERROR_WIDTH = 80;

    /** {@code list -o table}. A long error is cut, and a note under the table says where to read it whole. */
    public static String list(JsonNode migrations) {
        Table table = Table.withColumns("Name", "Mode", "Option", "State", "Substate", "Databases", "Error");
        boolean cut = false;
        for (JsonNode m : migrations) {
            JsonNode p = m.path("properties");
            String error = Json.text(p, "currentStatus", "error").replaceAll("\\s+", " ").strip();
            if (error.length() > LIST_ERROR_WIDTH) {
                error = error.substring(0, LIST_ERROR_WIDTH - 3) + "...";
                cut = true;
            }
            table.row(Json.text(m, "name"), Json.text(p, "migrationMode"), Json.text(p, "migrationOption"), state(m),
                    subState(m), joined(p.path("dbsToMigrate")), error);
        }
        return table.render() + (cut ? "Long errors are cut; 'pgmigrate migration show --migration-name NAME' prints"
                + " them whole.\n" : "");
    }

    /**
     * The status of one migration with its per-database progress. {@code nextStep} is appended when the migration
     * waits for the user (it names the command to run), may be empty.
     */
    public static String detail(JsonNode m, String nextStep) {
        JsonNode p = m.path("properties");
        StringBuilder out = new StringBuilder();
        field(out, "Migration", Json.text(m, "name"));
        field(out, "Source", first(Json.text(p, "sourceDbServerFullyQualifiedDomainName"),
                Json.text(p, "sourceDbServerResourceId")));
        field(out, "Target", first(Json.text(p, "targetDbServerFullyQualifiedDomainName"),
                Json.text(p, "targetDbServerResourceId")));
        field(out, "Mode", String.join(", ", nonEmpty(Json.text(p, "migrationMode"), Json.text(p, "migrationOption"))));
        field(out, "Filters", filters(p.path("filters")));
        String sub = subState(m);
        field(out, "State", state(m) + (sub.isEmpty() ? "" : " / " + sub));
        if (!state(m).equalsIgnoreCase("ValidationFailed")) {
            field(out, "Error", Json.text(p, "currentStatus", "error")); // else the report below says it, check by check
        }
        validation(out, p);
        verification(out, p.path("verificationDetails"));
        JsonNode dbs = p.path("currentStatus").path("currentSubStateDetails").path("dbDetails");
        if (dbs.size() > 0) {
            out.append('\n').append(databases(dbs, Json.text(p, "migrationMode").equalsIgnoreCase("Online")));
        }
        if (!nextStep.isEmpty() && state(m).equalsIgnoreCase("WaitingForUserAction")) {
            out.append('\n').append(nextStep).append('\n');
        }
        return out.toString();
    }

    /** The property {@code filters} in clone's words ({@code exclude-schema: staging; ...}), or empty. */
    private static String filters(JsonNode f) {
        List<String> parts = new ArrayList<>();
        String[][] lists = {{"includeSchemas", "include-schema"}, {"excludeSchemas", "exclude-schema"},
            {"includeTables", "include-table"}, {"excludeTables", "exclude-table"},
            {"excludeTableData", "exclude-table-data"}};
        for (String[] list : lists) {
            List<String> names = new ArrayList<>();
            f.path(list[0]).forEach(n -> names.add(n.asText()));
            if (!names.isEmpty()) {
                parts.add(list[1] + ": " + String.join(", ", names));
            }
        }
        return String.join("; ", parts);
    }

    /** Per database; the change-capture columns only for an online migration (an offline one has no changes). */
    private static String databases(JsonNode dbs, boolean online) {
        Table table = online
                ? Table.withColumns("Database", "State", "Operation", "Tables queued/loading/done/errored", "Copied",
                        "CDC ins/upd/del", "Applied", "Incoming", "Latency", "Pending", "Message")
                : Table.withColumns("Database", "State", "Operation", "Tables queued/loading/done/errored", "Copied",
                        "Message");
        for (JsonNode db : dbs) {
            String name = first(Json.text(db, "databaseName"), "");
            String tables = counters(db, "fullLoadQueuedTables", "fullLoadLoadingTables", "fullLoadCompletedTables",
                    "fullLoadErroredTables");
            if (online) {
                table.row(name, Json.text(db, "migrationState"), Json.text(db, "migrationOperation"), tables, copied(db),
                        counters(db, "cdcInsertCounter", "cdcUpdateCounter", "cdcDeleteCounter"),
                        number(db, "appliedChanges"), number(db, "incomingChanges"),
                        db.hasNonNull("latency") ? Json.text(db, "latency") + "s" : "-",
                        db.hasNonNull("pendingBytes") ? bytes(db.get("pendingBytes").asLong()) : "-",
                        Json.text(db, "message"));
            } else {
                table.row(name, Json.text(db, "migrationState"), Json.text(db, "migrationOperation"), tables, copied(db),
                        Json.text(db, "message"));
            }
        }
        return table.render();
    }

    /**
     * copiedBytes/totalBytes are the service's extras: the full load's progress, where az shows none. The service
     * replaces the total, an estimate from the tables' size on disk, by the bytes copied when the copy ends: until
     * the two are equal, the total is an estimate, shown with "~", and never reads 100%.
     */
    static String copied(JsonNode db) {
        long total = db.path("totalBytes").asLong(0);
        if (!db.hasNonNull("copiedBytes") || total <= 0) {
            return "-";
        }
        long done = db.get("copiedBytes").asLong();
        if (done == total) {
            return bytes(done) + " (100%)";
        }
        return bytes(done) + " of ~" + bytes(total) + " (~" + Math.min(99, done * 100 / total) + "%)";
    }

    /**
     * The service's comparison: equal tables are summed up; what differs gets a line each, then the warnings. What
     * was compared is named, so that the check of an online base copy, which changes are applied on top of, is not
     * taken for the check after the cutover.
     */
    private static void verification(StringBuilder out, JsonNode details) {
        if (Json.text(details, "status").isEmpty()) {
            return;
        }
        int tables = 0;
        List<String> differences = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> scopes = new LinkedHashMap<>();
        for (JsonNode db : details.path("databases")) {
            String name = Json.text(db, "databaseName");
            scopes.put(name, Json.text(db, "scope"));
            for (JsonNode table : db.path("tables")) {
                tables++;
                if (!table.path("equal").asBoolean(true)) {
                    // The service's message names the table and its counts itself.
                    differences.add(name + ": " + (Json.text(table, "message").isEmpty() ? Json.text(table, "table")
                            + ": " + Json.text(table, "sourceRows") + " rows on the source, "
                            + Json.text(table, "targetRows") + " on the target" : Json.text(table, "message")));
                }
            }
            db.path("sequenceMismatches").forEach(m -> differences.add(name + ": sequence " + m.asText()));
            db.path("objectMismatches").forEach(m -> differences.add(name + ": " + m.asText()));
            db.path("warnings").forEach(w -> warnings.add(name + ": WARNING: " + w.asText()));
        }
        field(out, "Verified", Json.text(details, "status") + " (" + scopeLabel(scopes) + Plural.of(tables, "table") + " compared"
                + (differences.isEmpty() ? ", rows and contents equal on both sides)" : ")"));
        differences.forEach(d -> out.append("  ").append(d).append('\n'));
        warnings.forEach(w -> out.append("  ").append(w).append('\n'));
    }

    /** What was compared, e.g. "base copy before the cutover: ", or per database when they differ; "" for a copy. */
    static String scopeLabel(Map<String, String> scopeByDatabase) {
        Set<String> scopes = new HashSet<>(scopeByDatabase.values());
        if (scopes.size() == 1) {
            String only = scopeLabel(scopes.iterator().next());
            return only.isEmpty() ? "" : only + ": ";
        }
        List<String> each = new ArrayList<>();
        scopeByDatabase.forEach((db, scope) -> each.add(db + " " + (scopeLabel(scope).isEmpty() ? "copy"
                : scopeLabel(scope))));
        return String.join(", ", each) + ": ";
    }

    private static String scopeLabel(String scope) {
        return switch (scope) {
            case "BaseCopy" -> "base copy before the cutover";
            case "AfterCutover" -> "after the cutover";
            default -> ""; // an offline copy (or a service that does not say): the copy is the final state
        };
    }

    /**
     * The premigration validation report: every check with its state and its messages, the server's first, then
     * each database's. A message that is not a success is marked with its severity; it says how to fix the problem.
     */
    private static void validation(StringBuilder out, JsonNode properties) {
        JsonNode details = properties.path("currentStatus").path("currentSubStateDetails").path("validationDetails");
        if (Json.text(details, "status").isEmpty()) {
            return;
        }
        String ended = Json.text(details, "validationEndTimeInUtc");
        field(out, "Validation", Json.text(details, "status") + (ended.isEmpty() ? "" : " (ended " + ended + ")"));
        List<Map.Entry<String, JsonNode>> checks = new ArrayList<>();
        details.path("serverLevelValidationDetails").forEach(item -> checks.add(Map.entry("server", item)));
        for (JsonNode db : details.path("dbLevelValidationDetails")) {
            db.path("summary").forEach(item -> checks.add(Map.entry(Json.text(db, "databaseName"), item)));
        }
        int scopeWidth = checks.stream().mapToInt(c -> c.getKey().length()).max().orElse(0);
        int typeWidth = checks.stream().mapToInt(c -> Json.text(c.getValue(), "type").length()).max().orElse(0);
        for (Map.Entry<String, JsonNode> check : checks) {
            JsonNode item = check.getValue();
            out.append(String.format("  %-" + scopeWidth + "s  %-" + typeWidth + "s  %s%n", check.getKey(),
                    Json.text(item, "type"), Json.text(item, "state")));
            for (JsonNode message : item.path("messages")) {
                String severity = Json.text(message, "state");
                out.append(" ".repeat(4 + scopeWidth))
                        .append(severity.equalsIgnoreCase("Succeeded") || severity.isEmpty() ? "" : severity + ": ")
                        .append(Json.text(message, "message")).append('\n');
            }
        }
        String state = Json.text(properties, "currentStatus", "state");
        if (state.equalsIgnoreCase("ValidationFailed")) {
            out.append("Nothing was migrated. Fix what the Failed checks say, then create the migration again.\n");
        } else if (state.equalsIgnoreCase("Succeeded") && Json.text(properties, "migrationOption").equalsIgnoreCase("Validate")) {
            out.append("Validation only: nothing was migrated. To migrate, create the migration again with "
                    + "--migration-option ValidateAndMigrate (or Migrate).\n");
        }
    }

    private static void field(StringBuilder out, String name, String value) {
        if (!value.isEmpty()) {
            out.append(String.format("%-11s %s%n", name, value));
        }
    }

    private static String counters(JsonNode db, String... names) {
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            out.append(out.length() == 0 ? "" : "/").append(number(db, name));
        }
        return out.toString();
    }

    private static String number(JsonNode db, String name) {
        return db.hasNonNull(name) ? db.get(name).asText() : "-";
    }

    /** Binary units, as every size pgmigrate prints ({@link ByteUnits}). */
    static String bytes(long n) {
        return ByteUnits.format(n);
    }

    private static String joined(JsonNode array) {
        StringBuilder out = new StringBuilder();
        array.forEach(e -> out.append(out.length() == 0 ? "" : ", ").append(e.asText()));
        return out.toString();
    }

    private static String first(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    private static List<String> nonEmpty(String... values) {
        return java.util.Arrays.stream(values).filter(v -> !v.isEmpty()).toList();
    }
}
