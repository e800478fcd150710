package org.pgmigrate.engine.precheck;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pgmigrate.engine.catalog.TableSelection;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * The extensions check when the migration skips extensions ({@code azure.migration_skip_extensions},
 * {@code clone --skip-extensions}): no source extension is created on the target, whether the target offers it or
 * not, and the target database is created from template0, so nothing else brings it. An extension is then no
 * obstacle (a warning says it will not be migrated) unless objects of the database use what it defines: a column of
 * one of its types, an index with one of its operator classes, a view or function over one of its functions. Their
 * restore would fail, so that is an error naming the extension, the objects and the fixes. Availability, versions,
 * placement in a system schema and shared_preload_libraries do not matter for an extension that is not created.
 * Stateless.
 */
final class SkippedExtensions {

    private static final int LISTED = 10;

    /**
     * The objects each extension defines: its members (pg_depend 'e'), and with them what PostgreSQL made for them
     * and drops with them (the array type of its types, the indexes, defaults and rules of its tables and views:
     * internal or automatic dependencies on a member). What depends on these normally (a user's column of its type,
     * a user's index with its operator class, a view calling its function), or was marked as depending on the
     * extension itself (ALTER ... DEPENDS ON EXTENSION), cannot be restored without the extension. Members of other
     * extensions are not restored either, so they do not count. A view is named as itself, not as its _RETURN rule.
     * Each comes with its schema and, when it belongs to a relation (a column, an index, a default, a constraint, a
     * trigger, a rule), that relation's schema, name and kind, so that what the filters leave out is left out here.
     */
    private static final String DEPENDENTS = """
            WITH RECURSIVE member (extname, classid, objid) AS (
                SELECT e.extname, d.classid, d.objid
                FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
                  AND e.extname <> 'plpgsql'
              UNION
                SELECT m.extname, d.classid, d.objid
                FROM member m JOIN pg_catalog.pg_depend d ON d.refclassid = m.classid AND d.refobjid = m.objid
                WHERE d.deptype IN ('i', 'a')
            ), dependent (extname, classid, objid, objsubid) AS (
                SELECT m.extname, d.classid, d.objid, d.objsubid
                FROM member m JOIN pg_catalog.pg_depend d ON d.refclassid = m.classid AND d.refobjid = m.objid
                WHERE d.deptype = 'n'
              UNION
                SELECT e.extname, d.classid, d.objid, d.objsubid
                FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'x'
            )
            SELECT DISTINCT x.extname, COALESCE(
                       (SELECT pg_catalog.pg_describe_object('pg_catalog.pg_class'::pg_catalog.regclass, r.ev_class, 0)
                        FROM pg_catalog.pg_rewrite r
                        WHERE x.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND r.oid = x.objid
                          AND r.rulename = '_RETURN'),
                       pg_catalog.pg_describe_object(x.classid, x.objid, x.objsubid)),
                   (pg_catalog.pg_identify_object(x.classid, x.objid, 0)).schema, rn.nspname, rc.relname,
                   rc.relkind::text
            FROM dependent x
            LEFT JOIN pg_catalog.pg_class rc ON rc.oid = CASE x.classid
                WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN COALESCE(
                    (SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = x.objid), x.objid)
                WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
                    (SELECT d.adrelid FROM pg_catalog.pg_attrdef d WHERE d.oid = x.objid)
                WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
                    (SELECT c.conrelid FROM pg_catalog.pg_constraint c WHERE c.oid = x.objid)
                WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
                    (SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid = x.objid)
                WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
                    (SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid = x.objid)
                END
            LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE NOT EXISTS (SELECT 1 FROM member o WHERE o.classid = x.classid AND o.objid = x.objid)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = x.classid AND e.objid = x.objid
                              AND e.deptype = 'e')
            ORDER BY 1, 2""";

    private SkippedExtensions() {
    }

    /**
     * ExtensionsValidation of {@code database} when {@code setting} (the setting the user turned on) skips
     * extensions.
     */
    static CheckResult check(Connection source, Connection target, ServerVersion targetVersion, String database,
                             String setting, TableSelection selection) throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder("ExtensionsValidation");
        Map<String, String> installed = new LinkedHashMap<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT extname, extversion"
                + " FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql' ORDER BY 1")) {
            while (rs.next()) {
                installed.put(rs.getString(1), rs.getString(2));
            }
        }
        if (installed.isEmpty()) {
            return check.ok("No extensions besides plpgsql.").build();
        }
        Map<String, List<String>> used = dependents(source, selection);
        Set<String> offered = offered(target, installed.keySet());
        List<String> unused = new ArrayList<>();
        for (Map.Entry<String, String> e : installed.entrySet()) {
            String name = e.getKey();
            List<String> users = used.getOrDefault(name, List.of());
            boolean available = offered.contains(name);
            if (!users.isEmpty()) {
                check.fail("Extension " + name + " is not migrated because " + setting + " is on, and the target"
                        + " database is created from template0, so it will not have " + name + "; but "
                        + list(users) + " in database " + database + " " + (users.size() == 1 ? "uses" : "use")
                        + " it, and would fail to restore. Turn " + setting + " off"
                        + (available ? "" : " (and install the extension on the target, for example the package"
                                + " postgresql-" + targetVersion.major() + "-" + name + ")")
                        + ", or drop " + (users.size() == 1 ? "that object" : "those objects") + " on the source.");
            } else if (!available) {
                check.warn("Extension " + name + " " + e.getValue() + " is not available on the target; it will not be"
                        + " migrated because " + setting + " is on, and nothing in database " + database
                        + " uses it.");
            } else {
                unused.add(name);
            }
        }
        if (!unused.isEmpty()) {
            check.warn("Extension" + (unused.size() == 1 ? " " : "s ") + String.join(", ", unused) + " will not be"
                    + " migrated because " + setting + " is on (nothing in database " + database + " uses "
                    + (unused.size() == 1 ? "it" : "them") + "): the target database will not have "
                    + (unused.size() == 1 ? "it" : "them") + ".");
        }
        return check.build();
    }

    /**
     * For each extension, the objects of the database that use what it defines, as PostgreSQL describes them; but not
     * those the migration's filters leave out (in a schema left out, or of a table left out), which are not restored.
     */
    static Map<String, List<String>> dependents(Connection source, TableSelection selection) throws SQLException {
        Map<String, List<String>> used = new LinkedHashMap<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(DEPENDENTS)) {
            while (rs.next()) {
                // A view or sequence follows its schema only; a table, partitioned or foreign table its own filter.
                String relationSchema = rs.getString(4);
                String table = List.of("r", "p", "f").contains(rs.getString(6)) ? rs.getString(5) : null;
                boolean leftOut = selection.excludesDefinition(rs.getString(3), "table", null)
                        || relationSchema != null && selection.excludesDefinition(relationSchema, "table", table);
                if (!leftOut) {
                    used.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return used;
    }

    private static Set<String> offered(Connection target, Set<String> names) throws SQLException {
        Set<String> offered = new TreeSet<>();
        try (PreparedStatement ps = target.prepareStatement(
                "SELECT name FROM pg_catalog.pg_available_extensions WHERE name = ANY (?)")) {
            ps.setArray(1, target.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    offered.add(rs.getString(1));
                }
            }
        }
        return offered;
    }

    private static String list(List<String> objects) {
        return objects.size() > LISTED
                ? String.join(", ", objects.subList(0, LISTED)) + " and " + (objects.size() - LISTED) + " more"
                : String.join(", ", objects);
    }
}
