package org.pgmigrate.engine.precheck;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * The objects of a source database whose restore needs something the target may lack: the known causes of failed
 * migrations that the schema restore would otherwise report only midway. User-defined casts and base types written
 * in C (which need a superuser, and for types the shared library), grants on {@code pg_authid}/{@code pg_shadow},
 * extensions in system schemas or that need {@code shared_preload_libraries}, and procedural languages the target
 * does not offer. Every message that is not a success says how to fix it. Stateless.
 */
final class RestoreFeasibility {

    static final String CASTS = "UserDefinedCastsValidation";
    static final String CATALOG_GRANTS = "SystemCatalogGrantsValidation";
    static final String LANGUAGES = "ProceduralLanguagesValidation";
    static final String BASE_TYPES = "BaseTypesValidation";
    private static final int LISTED = 10;
    /** Objects an extension brought are recreated by CREATE EXTENSION, not by the schema restore. */
    private static final String NOT_FROM_EXTENSION = "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
            + " WHERE d.classid = '%s'::regclass AND d.objid = %s AND d.deptype = 'e')";

    /**
     * Extensions whose library must be in the target's {@code shared_preload_libraries}: those whose CREATE EXTENSION
     * fails without it (the migration would fail), and those that are created but do not work (a warning).
     */
    static final Map<String, Boolean> PRELOADED = preloaded();

    private RestoreFeasibility() {
    }

    private static Map<String, Boolean> preloaded() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (String required : List.of("pg_cron", "timescaledb", "citus", "pglogical", "pg_partman_bgw")) {
            m.put(required, true);
        }
        for (String useful : List.of("pg_stat_statements", "pgaudit", "pg_qualstats", "pg_wait_sampling",
                "pg_stat_kcache", "pg_hint_plan", "pg_squeeze", "pgsentinel", "pg_stat_monitor", "auto_explain")) {
            m.put(useful, false);
        }
        return Map.copyOf(m);
    }

    /**
     * Casts created by users: pg_restore recreates them with CREATE CAST, which needs the target user to own the
     * source or target type, so a cast between two built-in types needs a superuser.
     */
    static CheckResult casts(Connection source, String database, boolean targetSuperuser) throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder(CASTS);
        List<String> builtinOnly = new ArrayList<>();
        int count = 0;
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_catalog.format_type(c.castsource, NULL), pg_catalog.format_type(c.casttarget, NULL),"
                        + " c.castsource < 16384 AND c.casttarget < 16384"
                        + " FROM pg_catalog.pg_cast c WHERE c.oid >= 16384 AND "
                        + NOT_FROM_EXTENSION.formatted("pg_catalog.pg_cast", "c.oid") + " ORDER BY 1, 2")) {
            while (rs.next()) {
                count++;
                if (rs.getBoolean(3) && builtinOnly.size() < LISTED) {
                    builtinOnly.add("(" + rs.getString(1) + " AS " + rs.getString(2) + ")");
                }
            }
        }
        if (count == 0) {
            return check.ok("No user-defined casts in database " + database + ".").build();
        }
        if (!builtinOnly.isEmpty() && !targetSuperuser) {
            return check.fail("User-defined casts between built-in types in database " + database + ": "
                    + String.join(", ", builtinOnly) + ". CREATE CAST between types the target user does not own needs"
                    + " a superuser, so their restore would fail. Migrate as a superuser, or drop the casts on the"
                    + " source (DROP CAST ...) and create them on the target afterwards.").build();
        }
        return check.ok(count + " user-defined cast" + (count == 1 ? "" : "s") + " in database " + database
                + "; the target user may create " + (count == 1 ? "it" : "them") + ".").build();
    }

    /**
     * Grants on pg_authid and pg_shadow (their password hashes): pg_dump carries privileges that differ from
     * initdb's, and only a superuser may grant on a system catalog, so the restore would fail on a managed target.
     */
    static CheckResult catalogGrants(Connection source, String database, boolean targetSuperuser) throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder(CATALOG_GRANTS);
        List<String> granted = new ArrayList<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT c.relname, g.grantee_name FROM pg_catalog.pg_class c"
                        + " CROSS JOIN LATERAL (SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC'"
                        + "   ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END AS grantee_name"
                        + "   FROM pg_catalog.aclexplode(c.relacl) a"
                        + "   WHERE a.grantee <> c.relowner) g"
                        + " WHERE c.oid IN ('pg_catalog.pg_authid'::regclass, 'pg_catalog.pg_shadow'::regclass)"
                        + " ORDER BY 1, 2")) {
            while (rs.next()) {
                granted.add("pg_catalog." + rs.getString(1) + " to " + rs.getString(2));
            }
        }
        if (granted.isEmpty()) {
            return check.ok("No grants on pg_authid or pg_shadow in database " + database + ".").build();
        }
        String message = "Privileges granted on " + String.join(", ", granted) + " in database " + database
                + ": they expose password hashes, and pg_restore would grant them again, which needs a superuser.";
        if (targetSuperuser) {
            return check.warn(message + " Revoke them on the source unless the target really needs them (REVOKE"
                    + " ALL ON pg_catalog.pg_authid FROM ...).").build();
        }
        return check.fail(message + " Revoke them on the source (REVOKE ALL ON pg_catalog.pg_authid FROM ...;"
                + " REVOKE ALL ON pg_catalog.pg_shadow FROM ...), or migrate as a superuser.").build();
    }

    /**
     * Procedural languages that the database's functions use and the target does not offer (as an installed
     * language or an available extension): their functions, and everything built on them, would not restore.
     */
    static CheckResult languages(Connection source, Connection target, String database) throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder(LANGUAGES);
        Map<String, Integer> used = new LinkedHashMap<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT l.lanname, pg_catalog.count(p.oid) FROM pg_catalog.pg_language l"
                        + " LEFT JOIN pg_catalog.pg_proc p ON p.prolang = l.oid"
                        + " WHERE l.lanispl AND l.lanname NOT IN ('plpgsql')"
                        + " GROUP BY l.lanname ORDER BY 1")) {
            while (rs.next()) {
                used.put(rs.getString(1), rs.getInt(2));
            }
        }
        if (used.isEmpty()) {
            return check.ok("Database " + database + " uses no procedural language besides SQL and PL/pgSQL.").build();
        }
        Set<String> offered = new TreeSet<>();
        try (PreparedStatement ps = target.prepareStatement("SELECT lanname FROM pg_catalog.pg_language"
                + " UNION SELECT name FROM pg_catalog.pg_available_extensions WHERE name = ANY (?)")) {
            ps.setArray(1, target.createArrayOf("text", used.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    offered.add(rs.getString(1));
                }
            }
        }
        for (Map.Entry<String, Integer> language : used.entrySet()) {
            if (!offered.contains(language.getKey())) {
                check.fail("Procedural language " + language.getKey() + " (used by " + language.getValue()
                        + " function" + (language.getValue() == 1 ? "" : "s") + " in database " + database
                        + ") is not available on the target, so those functions would not restore. Install it on the"
                        + " target server (Debian: postgresql-<major>-" + packageOf(language.getKey()) + "), or drop"
                        + " the language and its functions on the source.");
            }
        }
        if (check.build().state() == CheckState.Succeeded) {
            check.ok("Every procedural language of database " + database + " is available on the target: "
                    + String.join(", ", used.keySet()) + ".");
        }
        return check.build();
    }

    /** Debian's package suffix for a language: plperl and plperlu ship as postgresql-N-plperl, and so on. */
    static String packageOf(String language) {
        String base = language.toLowerCase(Locale.ROOT).replaceAll("u$", "");
        return base.equals("plpython3") ? "plpython3" : base;
    }

    /**
     * Extensions installed in a system schema (pg_catalog, information_schema): CREATE EXTENSION ... SCHEMA
     * pg_catalog needs a superuser (and managed targets refuse it); and extensions whose library must be preloaded
     * on the target. Added to the extensions check.
     */
    static void extensionPlacement(Connection source, Connection target, boolean targetSuperuser,
                                   CheckResult.Builder check) throws SQLException {
        List<String[]> installed = new ArrayList<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT e.extname, n.nspname, e.extrelocatable FROM pg_catalog.pg_extension e"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
                        + " WHERE e.extname <> 'plpgsql' ORDER BY 1")) {
            while (rs.next()) {
                installed.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        for (String[] e : installed) {
            if (Set.of("pg_catalog", "information_schema").contains(e[1])) {
                String fix = "t".equals(e[2]) ? "move it on the source (ALTER EXTENSION " + Identifiers.quote(e[0])
                        + " SET SCHEMA public)" : "recreate it on the source in a schema of its own (DROP EXTENSION,"
                        + " then CREATE EXTENSION " + Identifiers.quote(e[0]) + " SCHEMA ...)";
                String message = "Extension " + e[0] + " is installed in the system schema " + e[1]
                        + ": recreating it there needs a superuser, and managed targets refuse it. Better "
                        + fix + ".";
                if (targetSuperuser) {
                    check.warn(message);
                } else {
                    check.fail(message);
                }
            }
        }
        List<String> needPreload = new ArrayList<>();
        for (String[] e : installed) {
            if (PRELOADED.containsKey(e[0])) {
                needPreload.add(e[0]);
            }
        }
        if (needPreload.isEmpty()) {
            return;
        }
        Set<String> preloaded = preloadedLibraries(target);
        for (String extension : needPreload) {
            if (preloaded == null) {
                check.warn("Extension " + extension + " needs its library in the target's shared_preload_libraries,"
                        + " which the target user may not read (it needs pg_read_all_settings). Make sure it is there"
                        + " before the migration (ALTER SYSTEM SET shared_preload_libraries = '..., " + extension
                        + "', then restart the target).");
            } else if (!preloaded.contains(extension)) {
                String message = "Extension " + extension + " needs " + extension + " in the target's"
                        + " shared_preload_libraries (now '" + String.join(",", preloaded) + "'). Add it (ALTER SYSTEM"
                        + " SET shared_preload_libraries = '" + join(preloaded, extension) + "') and restart the"
                        + " target before the migration";
                if (PRELOADED.get(extension)) {
                    check.fail(message + ": without it CREATE EXTENSION " + extension + " fails.");
                } else {
                    check.warn(message + ": without it the extension is created but does not work.");
                }
            }
        }
    }

    /** The target's shared_preload_libraries, or null when the target user may not read it. */
    private static Set<String> preloadedLibraries(Connection target) throws SQLException {
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_catalog.current_setting('shared_preload_libraries')")) {
            rs.next();
            Set<String> libraries = new TreeSet<>();
            for (String library : rs.getString(1).split(",")) {
                String name = library.trim().replace("\"", "");
                if (!name.isEmpty()) {
                    libraries.add(name.replaceAll("^\\$libdir/", ""));
                }
            }
            return libraries;
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                return null;
            }
            throw e;
        }
    }

    private static String join(Set<String> preloaded, String added) {
        List<String> all = new ArrayList<>(preloaded);
        all.add(added);
        return String.join(",", all);
    }

    /**
     * Base types whose input or output function is written in C (not from an extension): CREATE TYPE needs a
     * superuser, and the shared library must exist on the target at the same path.
     */
    static CheckResult cBaseTypes(Connection source, String database, boolean targetSuperuser) throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder(BASE_TYPES);
        List<String> types = new ArrayList<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT n.nspname, t.typname, pg_catalog.string_agg(DISTINCT p.probin, ', ')"
                        + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                        + " JOIN pg_catalog.pg_proc p ON p.oid IN (t.typinput, t.typoutput)"
                        + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
                        + " WHERE t.typtype = 'b' AND t.oid >= 16384 AND l.lanname = 'c' AND "
                        + NOT_FROM_EXTENSION.formatted("pg_catalog.pg_type", "t.oid")
                        + " GROUP BY 1, 2 ORDER BY 1, 2")) {
            while (rs.next()) {
                types.add(Identifiers.forMessage(rs.getString(1), rs.getString(2)) + " (library " + rs.getString(3) + ")");
            }
        }
        if (types.isEmpty()) {
            return check.ok("No base types written in C outside extensions in database " + database + ".").build();
        }
        String message = "Base types defined by C functions in database " + database + ": "
                + String.join(", ", types.subList(0, Math.min(LISTED, types.size())))
                + (types.size() > LISTED ? " and " + (types.size() - LISTED) + " more" : "") + ". Their shared"
                + " libraries must exist on the target at the same path";
        if (!targetSuperuser) {
            return check.fail(message + ", and CREATE TYPE with C functions needs a superuser, which the target user"
                    + " is not. Package the type as an extension installed on the target, or migrate as a superuser.")
                    .build();
        }
        return check.warn(message + ": install them there before the migration.").build();
    }
}
