package org.pgmigrate.engine.precheck;

import static org.pgmigrate.engine.precheck.ServerChecks.intQuery;
import static org.pgmigrate.engine.precheck.ServerChecks.qualifiedNames;
import static org.pgmigrate.engine.precheck.ServerChecks.stringQuery;
import static org.pgmigrate.engine.precheck.ServerChecks.strings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.catalog.TableSelection;
import org.pgmigrate.engine.pg.DatabaseIdentity;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * The checks of one source database against the target server: schema readability and the target database,
 * extensions, collations, online-replication fitness of its tables, and its size. Stateless; set-based queries, so
 * 2000 tables cost no more round trips than 2.
 */
final class DatabaseValidation {

    private static final int LISTED = 10;
    private static final String USER_RELATIONS = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp%'"
            + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass"
            + " AND d.objid = c.oid AND d.deptype = 'e')";

    private DatabaseValidation() {
    }

    static CheckResult schema(Connection source, Connection targetMaintenance, String database, boolean overwrite)
            throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder("SchemaValidation");
        List<String> unreadable = qualifiedNames(source, "SELECT n.nspname, c.relname"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p', 'S', 'm') AND " + USER_RELATIONS
                + " AND NOT (has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'))"
                + " ORDER BY 1, 2 LIMIT " + (LISTED + 1));
        if (!unreadable.isEmpty()) {
            check.fail("The source user cannot read " + list(unreadable) + ". Grant it USAGE on their schemas and"
                    + " SELECT on them (GRANT SELECT ON ALL TABLES IN SCHEMA ..., or pg_read_all_data on PostgreSQL 14+),"
                    + " or use the objects' owner.");
        }
        int tables = intQuery(source, "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND " + USER_RELATIONS);
        check.ok(tables + (tables == 1 ? " table" : " tables") + " in database " + database + ".");
        DatabaseIdentity sourceDatabase = DatabaseIdentity.of(source);
        DatabaseIdentity targetServer = DatabaseIdentity.of(targetMaintenance);
        Optional<Long> existing = DatabaseIdentity.oidOf(targetMaintenance, database);
        if (existing.isPresent() && sourceDatabase.isDatabase(targetServer, existing.get())) {
            // One server reached under two names (localhost and 127.0.0.1, a DNS alias, two registered servers).
            return check.fail("The target database " + database + " is the source database itself: both servers"
                    + " are one server (same system identifier, start time and database OID), whatever their names."
                    + " Migrating it would drop or overwrite the source. Register the real target server, or migrate"
                    + " into a database of another name.").build();
        }
        try (PreparedStatement ps = targetMaintenance.prepareStatement("SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    check.warn(overwrite
                            ? "Database " + database + " exists on the target; it will be dropped and recreated"
                                    + " (overwriteDbsInTarget = True). Its current contents will be lost."
                            : "Database " + database + " exists on the target; the migration will wait for confirmation"
                                    + " (WaitingForTargetDBOverwriteConfirmation). Set overwriteDbsInTarget = True"
                                    + " ('pgmigrate migration update --overwrite-dbs') to replace it, or drop it first.");
                }
            }
        }
        return check.build();
    }

    static CheckResult extensions(Connection source, Connection target, boolean targetSuperuser, ServerVersion targetVersion,
                                  String database, ObjectSkips skips, TableSelection selection) throws SQLException {
        if (skips.extensions()) {
            // None is created on the target: what matters is only whether something migrated uses one.
            return SkippedExtensions.check(source, target, targetVersion, database, skips.extensionsBy(), selection);
        }
        CheckResult.Builder check = new CheckResult.Builder("ExtensionsValidation");
        Map<String, String> installed = new HashMap<>();
        try (Statement s = source.createStatement();
             ResultSet rs = s.executeQuery("SELECT extname, extversion FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql'")) {
            while (rs.next()) {
                installed.put(rs.getString(1), rs.getString(2));
            }
        }
        if (installed.isEmpty()) {
            return check.ok("No extensions besides plpgsql.").build();
        }
        Map<String, List<String[]>> available = new HashMap<>();
        String trusted = targetVersion.atLeast(13) ? "trusted::text" : "'false'";
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT name, version, superuser::text, " + trusted + " FROM pg_catalog.pg_available_extension_versions")) {
            while (rs.next()) {
                available.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new String[] {rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        for (Map.Entry<String, String> e : installed.entrySet()) {
            List<String[]> versions = available.get(e.getKey());
            if (versions == null) {
                check.fail("Extension " + e.getKey() + " " + e.getValue() + " is not available on the target. Install its"
                        + " package on the target server (for example postgresql-" + targetVersion.major() + "-"
                        + e.getKey() + "), or drop the extension from the source database.");
                continue;
            }
            boolean sameOrNewer = versions.stream().anyMatch(v -> v[0].equals(e.getValue()) || compareVersions(v[0], e.getValue()) > 0);
            if (!sameOrNewer) {
                check.warn("Extension " + e.getKey() + " is " + e.getValue() + " on the source but the target offers only "
                        + versions.stream().map(v -> v[0]).toList() + ". The target's default version will be created;"
                        + " upgrade the target's package to keep " + e.getValue() + ".");
            }
            boolean needsSuperuser = versions.stream().allMatch(v -> "true".equals(v[1]) && !"true".equals(v[2]));
            if (needsSuperuser && !targetSuperuser) {
                check.fail("Extension " + e.getKey() + " can only be created by a superuser on the target, and the target"
                        + " user is not one. Create it on the target beforehand as a superuser, or migrate as a superuser.");
            }
        }
        RestoreFeasibility.extensionPlacement(source, target, targetSuperuser, check);
        if (check.build().state() == CheckState.Succeeded) {
            check.ok("Every extension is available on the target: " + String.join(", ", installed.keySet().stream().sorted().toList()) + ".");
        }
        return check.build();
    }

    static CheckResult collations(Connection source, Connection target, ServerVersion sourceVersion,
                                  ServerVersion targetVersion, String database) throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder("CollationsValidation");
        String provider = sourceVersion.atLeast(15) ? "datlocprovider::text" : "'c'";
        String icu = sourceVersion.atLeast(17) ? "datlocale" : sourceVersion.atLeast(15) ? "daticulocale" : "NULL::text";
        String encoding;
        String collate;
        String ctype;
        String localeProvider;
        String iculocale;
        try (PreparedStatement ps = source.prepareStatement("SELECT pg_encoding_to_char(encoding), datcollate, datctype, "
                + provider + ", " + icu + " FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                encoding = rs.getString(1);
                collate = rs.getString(2);
                ctype = rs.getString(3);
                localeProvider = rs.getString(4);
                iculocale = rs.getString(5);
            }
        }
        if ("i".equals(localeProvider) && !targetVersion.atLeast(15)) {
            check.fail("Database " + database + " uses the ICU locale " + iculocale + ", which needs a PostgreSQL 15 or newer"
                    + " target; the target runs " + targetVersion + ".");
        }
        for (String locale : new String[] {collate, ctype}) {
            if (!isBuiltinLocale(locale) && !targetHasLocale(target, locale)) {
                check.warn("The target shows no collation for locale " + locale + " (the source database's collation or"
                        + " ctype). CREATE DATABASE fails if the target's OS lacks it: install it there (e.g. locale-gen "
                        + locale + ") before migrating.");
            }
        }
        List<String> custom = qualifiedNames(source, "SELECT n.nspname, c.collname"
                + " FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace"
                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2 LIMIT " + (LISTED + 1));
        if (!custom.isEmpty()) {
            check.warn("User-defined collations " + list(custom) + " are recreated on the target with CREATE COLLATION,"
                    + " which needs the same ICU or libc locales there; check that the target's OS provides them.");
        }
        check.ok("Encoding " + encoding + ", collation " + collate + ", ctype " + ctype
                + ("i".equals(localeProvider) ? ", ICU locale " + iculocale : "") + ".");
        return check.build();
    }

    static CheckResult onlineReplication(Connection source, boolean allowReplicaIdentityFull, ObjectSkips skips)
            throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder("OnlineReplicationValidation");
        List<String> keyless = qualifiedNames(source, "SELECT n.nspname, c.relname"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND " + USER_RELATIONS
                + " AND (c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i"
                + "      WHERE i.indrelid = c.oid AND i.indisprimary)))"
                + " ORDER BY 1, 2 LIMIT " + (LISTED + 1));
        if (!keyless.isEmpty()) {
            if (allowReplicaIdentityFull) {
                check.warn("Tables without a primary key or replica identity: " + list(keyless) + ". pgmigrate will set"
                        + " REPLICA IDENTITY FULL on them (as allowed), which logs whole old rows on the source for every"
                        + " UPDATE and DELETE until the migration ends (cutover, cancel or failure), when pgmigrate gives"
                        + " them their earlier identity back.");
            } else {
                check.fail("Tables without a primary key or replica identity: " + list(keyless) + ". Their UPDATEs and"
                        + " DELETEs could not be replicated. Add a primary key (or ALTER TABLE ... REPLICA IDENTITY USING"
                        + " INDEX a unique index), allow REPLICA IDENTITY FULL (property allowReplicaIdentityFull = True,"
                        + " CLI --allow-replica-identity-full), or migrate offline.");
            }
        }
        List<String> unlogged = qualifiedNames(source, "SELECT n.nspname, c.relname"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'r' AND c.relpersistence = 'u' AND " + USER_RELATIONS + " ORDER BY 1, 2 LIMIT " + (LISTED + 1));
        if (!unlogged.isEmpty()) {
            check.warn("Unlogged tables " + list(unlogged) + " are copied once, but logical replication does not carry"
                    + " their later changes. Copy them again after cutover, or make them logged (ALTER TABLE ... SET LOGGED).");
        }
        // Skipped large objects are not copied at all; the size check notes that.
        int largeObjects = skips.largeObjects() ? 0
                : intQuery(source, "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata");
        if (largeObjects > 0) {
            check.warn(largeObjects + " large objects are copied with the base copy, but changes to them afterwards are"
                    + " not replicated. Stop writing large objects during the migration, or migrate offline.");
        }
        int generated = intQuery(source, "SELECT count(*) FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c"
                + " ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE a.attnum > 0"
                + " AND NOT a.attisdropped AND c.relkind = 'r' AND " + USER_RELATIONS
                + (sourceHasGenerated(source) ? " AND a.attgenerated <> ''" : " AND false"));
        if (generated > 0) {
            check.ok(generated + " generated column(s) are recomputed on the target, not replicated.");
        }
        if (keyless.isEmpty() && unlogged.isEmpty() && largeObjects == 0) {
            check.ok("Every table has a primary key or replica identity.");
        }
        return check.build();
    }

    static CheckResult size(Connection source, String database, ObjectSkips skips) throws SQLException {
        long bytes = Long.parseLong(stringQuery(source, "SELECT pg_database_size(current_database())::text"));
        CheckResult.Builder check = new CheckResult.Builder("DatabaseSizeValidation");
        long planned = bytes;
        if (skips.largeObjects()) {
            int count = intQuery(source, "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata");
            if (count > 0) {
                // pg_largeobject may be unreadable to the source user; its size is not.
                long lobBytes = Long.parseLong(stringQuery(source,
                        "SELECT pg_catalog.pg_total_relation_size('pg_catalog.pg_largeobject')::text"));
                planned = Math.max(0, bytes - lobBytes);
                check.ok("The " + count + " large object" + (count == 1 ? "" : "s") + " of database " + database
                        + " (" + human(lobBytes) + ") will not be migrated: " + skips.largeObjectsBy() + " is on.");
            }
        }
        return check.ok("Database " + database + " takes " + human(bytes) + " on the source; plan at least "
                        + human(planned + planned / 4) + " free on the target.")
                .build();
    }

    private static boolean sourceHasGenerated(Connection source) throws SQLException {
        return source.getMetaData().getDatabaseMajorVersion() >= 12;
    }

    private static boolean isBuiltinLocale(String locale) {
        return locale.equals("C") || locale.equals("POSIX") || locale.equalsIgnoreCase("C.UTF-8") || locale.equalsIgnoreCase("C.utf8");
    }

    private static boolean targetHasLocale(Connection target, String locale) throws SQLException {
        String normalized = locale.replace("UTF-8", "utf8").replace("utf-8", "utf8");
        try (PreparedStatement ps = target.prepareStatement("SELECT 1 FROM pg_catalog.pg_collation"
                + " WHERE collcollate IN (?, ?) OR collname IN (?, ?) LIMIT 1")) {
            ps.setString(1, locale);
            ps.setString(2, normalized);
            ps.setString(3, locale);
            ps.setString(4, normalized);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("[.]");
        String[] y = b.split("[.]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? leadingNumber(x[i]) : 0;
            int q = i < y.length ? leadingNumber(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static int leadingNumber(String s) {
        int n = 0;
        for (char ch : s.toCharArray()) {
            if (!Character.isDigit(ch)) {
                break;
            }
            n = n * 10 + (ch - '0');
        }
        return n;
    }

    private static String list(List<String> names) {
        return names.size() > LISTED ? String.join(", ", names.subList(0, LISTED)) + " and more" : String.join(", ", names);
    }

    static String human(long bytes) {
        return org.pgmigrate.engine.progress.ByteUnits.format(bytes);
    }
}
