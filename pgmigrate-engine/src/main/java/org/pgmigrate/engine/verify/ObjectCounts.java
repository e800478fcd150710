package org.pgmigrate.engine.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts a database's objects by kind, in one query, so that source and target can be compared: a missing index,
 * trigger or function shows even when every row arrived.
 */
final class ObjectCounts {

    private static final String USER = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp%'";
    /** Objects an extension or PostgreSQL itself made (multirange constructors) are not the user's. */
    private static String notExtension(String oid) {
        return " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = " + oid + " AND d.deptype IN ('e', 'i'))";
    }

    private static String relations(String kinds) {
        return "(SELECT count(*) FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE r.relkind IN (" + kinds + ") AND " + USER + notExtension("r.oid") + ")";
    }

    private ObjectCounts() {
    }

    static Map<String, Long> count(Connection c) throws SQLException {
        String sql = "SELECT " + relations("'r', 'p'") + ", " + relations("'i', 'I'") + ", " + relations("'v'") + ", "
                + relations("'m'") + ", " + relations("'S'") + ","
                + " (SELECT count(*) FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace"
                + "   WHERE k.contype <> 'n' AND " + USER + "),"
                + " (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                + "   WHERE " + USER + notExtension("p.oid") + "),"
                + " (SELECT count(*) FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class r ON r.oid = t.tgrelid"
                + "   JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE NOT t.tgisinternal AND " + USER + "),"
                + " (SELECT count(*) FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                + "   WHERE t.typtype IN ('e', 'c', 'd', 'r') AND t.typcategory <> 'A'"
                + "   AND (t.typrelid = 0 OR (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c') AND " + USER
                + notExtension("t.oid") + "),"
                + " (SELECT count(*) FROM pg_catalog.pg_extension),"
                + " (SELECT count(*) FROM pg_catalog.pg_largeobject_metadata)";
        String[] kinds = {"tables", "indexes", "views", "materialized views", "sequences", "constraints", "functions",
            "triggers", "types", "extensions", "large objects"};
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            for (int i = 0; i < kinds.length; i++) {
                counts.put(kinds[i], rs.getLong(i + 1));
            }
        }
        return counts;
    }

    /** "indexes: 12 on the source, 11 on the target" for each kind that differs. */
    static List<String> differences(Map<String, Long> source, Map<String, Long> target) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : source.entrySet()) {
            long t = target.getOrDefault(e.getKey(), 0L);
            if (t != e.getValue()) {
                out.add(e.getKey() + ": " + e.getValue() + " on the source, " + t + " on the target");
            }
        }
        return out;
    }
}
