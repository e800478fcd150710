package org.pgmigrate.engine.precheck;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checks of one source database about whose rights its objects carry on the target: SECURITY DEFINER functions,
 * and objects whose owner changes because roles are not migrated (pg_restore {@code --no-owner --no-privileges}
 * makes the target user own everything and drops every GRANT). Both warn, never fail: the migration works, but
 * the user should know what it means. Reading the catalogs is separate from wording the result, which is pure.
 * Stateless.
 */
final class OwnershipValidation {

    static final String SECURITY_DEFINER = "SecurityDefinerFunctionsValidation";
    static final String OWNERSHIP = "ObjectOwnershipValidation";
    private static final int LISTED = 10;
    private static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

    /** Objects by kind, in the order messages list them. */
    static final List<String> KINDS = List.of("table", "view", "sequence", "function", "schema", "type");

    private OwnershipValidation() {
    }

    static CheckResult securityDefinerFunctions(Connection source, String database, String targetUser,
                                                boolean targetSuperuser, RolePlan roles) throws SQLException {
        List<String> functions = new ArrayList<>();
        int count = 0;
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '('"
                        + " || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',"
                        + " pg_catalog.count(*) OVER ()"
                        + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                        + " WHERE p.prosecdef AND " + USER_SCHEMA + " AND NOT " + extensionMember("pg_proc", "p.oid")
                        + " ORDER BY 1 LIMIT " + LISTED)) {
            while (rs.next()) {
                functions.add(rs.getString(1));
                count = rs.getInt(2);
            }
        }
        return securityDefinerResult(database, functions, count, targetUser, targetSuperuser, roles);
    }

    static CheckResult securityDefinerResult(String database, List<String> functions, int count, String targetUser,
                                             boolean targetSuperuser, RolePlan roles) {
        CheckResult.Builder check = new CheckResult.Builder(SECURITY_DEFINER);
        if (count == 0) {
            return check.ok("No SECURITY DEFINER functions in database " + database + ".").build();
        }
        String listed = count + " SECURITY DEFINER function" + (count == 1 ? "" : "s") + " in database " + database
                + ": " + String.join(", ", functions) + (count > functions.size() ? " and " + (count - functions.size())
                + " more" : "") + ". " + (count == 1 ? "It runs" : "They run") + " with the rights of " + (count == 1
                ? "its" : "their") + " owner, on the target too. ";
        if (roles.migrated()) {
            return check.warn(listed + "Roles are migrated, so they keep their owners and grants: check that those"
                    + " owners hold no more rights on the target than on the source.").build();
        }
        return check.warn(listed + "Roles are not migrated (" + roles.whyNot() + "), so on the target their owner"
                + " becomes the target user " + targetUser + (targetSuperuser ? ", a superuser," : "") + " and their"
                + " grants are not copied: every role that can connect may EXECUTE them (PostgreSQL's default) with "
                + targetUser + "'s rights. Review them; to keep their owners and grants, " + roles.howToKeepOwners()
                + ", or REVOKE EXECUTE ON FUNCTION ... FROM PUBLIC on the target before opening it to users.")
                .build();
    }

    static CheckResult ownership(Connection source, String database, String targetUser, RolePlan roles)
            throws SQLException {
        Map<String, Map<String, Integer>> byOwner = new TreeMap<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_catalog.pg_get_userbyid(o.owner), o.kind, pg_catalog.count(*) FROM ("
                        + " SELECT c.relowner AS owner, CASE WHEN c.relkind IN ('v', 'm') THEN 'view'"
                        + "   WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END AS kind"
                        + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND " + USER_SCHEMA
                        + "   AND NOT " + extensionMember("pg_class", "c.oid")
                        + " UNION ALL SELECT p.proowner, 'function'"
                        + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                        + " WHERE " + USER_SCHEMA + " AND NOT " + extensionMember("pg_proc", "p.oid")
                        + " UNION ALL SELECT n.nspowner, 'schema' FROM pg_catalog.pg_namespace n"
                        // public is the target's own (pg_dump --no-owner leaves it as the target made it)
                        + " WHERE " + USER_SCHEMA + " AND n.nspname <> 'public' AND n.nspname NOT LIKE 'pg\\_%'"
                        + "   AND NOT " + extensionMember("pg_namespace", "n.oid")
                        + " UNION ALL SELECT t.typowner, 'type'"
                        + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                        + " WHERE " + USER_SCHEMA + " AND t.typtype IN ('b', 'c', 'd', 'e', 'r')"
                        // not the row type of a table nor the array type of another type: those follow their owner
                        + "   AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class r"
                        + "        WHERE r.oid = t.typrelid AND r.relkind = 'c'))"
                        + "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)"
                        + "   AND NOT " + extensionMember("pg_type", "t.oid")
                        + ") o GROUP BY 1, 2")) {
            while (rs.next()) {
                byOwner.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getInt(3));
            }
        }
        return ownershipResult(database, byOwner, targetUser, roles);
    }

    /**
     * @param byOwner owner name to object counts by kind ({@link #KINDS})
     */
    static CheckResult ownershipResult(String database, Map<String, Map<String, Integer>> byOwner, String targetUser,
                                       RolePlan roles) {
        CheckResult.Builder check = new CheckResult.Builder(OWNERSHIP);
        Map<String, Integer> kinds = new LinkedHashMap<>();
        Map<String, Integer> owners = new TreeMap<>();
        int total = 0;
        for (Map.Entry<String, Map<String, Integer>> e : byOwner.entrySet()) {
            if (e.getKey().equals(targetUser)) {
                continue;
            }
            for (Map.Entry<String, Integer> k : e.getValue().entrySet()) {
                kinds.merge(k.getKey(), k.getValue(), Integer::sum);
                owners.merge(e.getKey(), k.getValue(), Integer::sum);
                total += k.getValue();
            }
        }
        if (total == 0) {
            return check.ok("Every object of database " + database + " is owned by " + targetUser + ", the target user.")
                    .build();
        }
        List<String> byKind = new ArrayList<>();
        for (String kind : KINDS) {
            Integer n = kinds.get(kind);
            if (n != null) {
                byKind.add(n + " " + kind + (n == 1 ? "" : "s"));
            }
        }
        List<String> ownerList = owners.entrySet().stream().limit(LISTED).map(e -> e.getKey() + " (" + e.getValue() + ")")
                .toList();
        String what = total + " object" + (total == 1 ? "" : "s") + " of database " + database + " ("
                + String.join(", ", byKind) + ") " + (total == 1 ? "is" : "are") + " owned by roles other than the target"
                + " user " + targetUser + ": " + String.join(", ", ownerList)
                + (owners.size() > LISTED ? " and " + (owners.size() - LISTED) + " more roles" : "") + ".";
        if (roles.migrated()) {
            return check.ok(what + " Roles are migrated, so they keep their owners and grants.").build();
        }
        return check.warn(what + " Roles are not migrated (" + roles.whyNot() + "), so on the target " + targetUser
                + " will own them all, and their grants to other roles are not copied. To keep owners and grants, "
                + roles.howToKeepOwners() + ".").build();
    }

    private static String extensionMember(String catalog, String oid) {
        return "EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog." + catalog
                + "'::pg_catalog.regclass AND d.objid = " + oid + " AND d.deptype = 'e')";
    }
}
