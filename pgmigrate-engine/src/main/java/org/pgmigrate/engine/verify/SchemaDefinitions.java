package org.pgmigrate.engine.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * One database's user objects, each by kind and name with its definition, read with one set-based query per kind
 * (so 2000 tables cost the same round trips as 20): schemas, tables (kind, persistence, parents, options, row
 * security) and their partitioning, columns (type, collation, NOT NULL, identity, generated) and defaults, indexes
 * ({@code pg_get_indexdef}), constraints ({@code pg_get_constraintdef}), views and materialized views and their
 * queries ({@code pg_get_viewdef}), sequences' parameters, functions, procedures and aggregates (attributes and
 * body), triggers (enabled state and {@code pg_get_triggerdef}), types (enum labels, domain bases and defaults,
 * composite attributes, range subtypes), extensions, and the count of large objects.
 *
 * <p>What is left out, because a correct migration changes it or PostgreSQL makes it itself: extension members (the
 * target's CREATE EXTENSION makes them), objects PostgreSQL derives from others (triggers and constraints cloned onto
 * partitions are compared by definition, not by their generated names; see docs/architecture.md, "What pg_dump
 * cannot carry over"), owners, privileges and replica identities (online migration changes them on the source while
 * it runs), pgmigrate's own {@code _pgmigrate} schema, and statistics.
 *
 * <p>A definition the server prints from its parse tree (an index or constraint definition, a view's query, a
 * default, a trigger) is marked {@linkplain Definition#printed printed}: two major versions may print one object
 * differently, so such differences between servers of different majors are notes, not failures.
 */
final class SchemaDefinitions {

    /** The schemas that hold user objects; pgmigrate's own {@code _pgmigrate} (online progress) is not the user's. */
    private static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast',"
            + " '_pgmigrate') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

    /**
     * One object: {@code kind} and its name parts, its definition, and the object it belongs to (a column's table, an
     * index's table), which must exist on both sides for a difference in it to be worth naming.
     */
    record Definition(String kind, String name, String definition, boolean printed, String owner, String schema,
                      String object) {

        /** A definition without the raw names a filter asks for. */
        Definition(String kind, String name, String definition, boolean printed, String owner) {
            this(kind, name, definition, printed, owner, null, null);
        }

        String key() {
            return key(kind, name);
        }

        static String key(String kind, String name) {
            return name.isEmpty() ? kind : kind + " " + name;
        }
    }

    private SchemaDefinitions() {
    }

    /**
     * Every definition of the database {@code c} is connected to, by key, kind after kind. The queries fall back where
     * a catalog column is younger than the server (9.5 to 10 sources): what the column describes (partitions,
     * identity columns, procedures) cannot exist there, so the fallback prints what the newer server prints for an
     * object without it.
     */
    static Map<String, Definition> read(Connection c, ServerVersion version) throws SQLException {
        Map<String, Definition> all = new LinkedHashMap<>();
        for (Query q : queries(version)) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q.sql())) {
                while (rs.next()) {
                    String name = name(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
                    String ownerKind = rs.getString(8);
                    String owner = ownerKind == null ? null
                            : Definition.key(ownerKind, name(rs.getString(2), rs.getString(9), rs.getString(10),
                            rs.getString(11)));
                    Definition d = new Definition(rs.getString(1), name, String.valueOf(rs.getString(6)),
                            rs.getBoolean(7), owner, rs.getString(2), rs.getString(4));
                    all.put(d.key(), d);
                }
            } catch (SQLException e) {
                throw new SQLException("Reading the " + q.what() + " failed: " + e.getMessage(), e.getSQLState(), e);
            }
        }
        if (!version.atLeast(10)) {
            all.putAll(sequencesBefore10(c));
        }
        return all;
    }

    /**
     * Before 10 a sequence's parameters are columns of the sequence itself (no pg_sequence): one small query each.
     * Every sequence was a bigint then, and pg_dump recreates it as one.
     */
    private static Map<String, Definition> sequencesBefore10(Connection c) throws SQLException {
        Map<String, Definition> all = new LinkedHashMap<>();
        List<String[]> names = new java.util.ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT n.nspname, r.relname FROM "
                + "pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind = 'S'"
                + " AND " + USER_SCHEMA + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid ="
                + " 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = r.oid AND d.deptype IN ('e', 'i'))")) {
            while (rs.next()) {
                names.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        for (String[] n : names) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'as bigint, increment ' ||"
                    + " increment_by || ', minvalue ' || min_value || ', maxvalue ' || max_value || ', start ' ||"
                    + " start_value || ', cache ' || cache_value || CASE WHEN is_cycled THEN ', cycle' ELSE"
                    + " ', no cycle' END FROM " + Identifiers.qualified(n[0], n[1]))) {
                rs.next();
                Definition d = new Definition("sequence", name(n[0], null, n[1], null), rs.getString(1), false, null);
                all.put(d.key(), d);
            }
        }
        return all;
    }

    /** {@code schema.parent.name(suffix)}, each part quoted only where a reader needs it. */
    private static String name(String schema, String parent, String name, String suffix) {
        StringBuilder s = new StringBuilder();
        for (String part : new String[] {schema, parent, name}) {
            if (part != null) {
                s.append(s.isEmpty() ? "" : ".").append(Identifiers.forMessage(part));
            }
        }
        return suffix == null ? s.toString() : s + suffix;
    }

    private record Query(String what, String sql) {
    }

    /**
     * Each query returns: kind, schema, parent, name, suffix (a function's arguments), definition, printed, and the
     * owner's kind, parent, name and suffix (in the same schema), or NULLs.
     */
    private static List<Query> queries(ServerVersion version) {
        int major = version.major();
        boolean v10 = version.atLeast(10);
        boolean v11 = version.atLeast(11);
        String relispartition = v10 ? "r.relispartition" : "false";
        String conparentid = v11 ? "c.conparentid" : "0";
        String attidentity = v10 ? "a.attidentity" : "''";
        String prokind = v11 ? "p.prokind"
                : "(CASE WHEN p.proisagg THEN 'a' WHEN p.proiswindow THEN 'w' ELSE 'f' END)";
        String proparallel = version.atLeast(9, 6) ? "p.proparallel" : "'u'";
        String notMember = " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = %s"
                + " AND d.objid = %s AND d.deptype IN ('e', 'i'))";
        String relation = "pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace";
        String relationKind = "CASE r.relkind WHEN 'm' THEN 'materialized view' WHEN 'v' THEN 'view' ELSE 'table' END";
        String tableNotMember = notMember.formatted("'pg_catalog.pg_class'::pg_catalog.regclass", "r.oid");
        String functionKind = "CASE " + prokind + " WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'"
                + " WHEN 'w' THEN 'window function' ELSE 'function' END";
        List<Query> all = new java.util.ArrayList<>(List.of(
                new Query("schemas", "SELECT 'schema', n.nspname, NULL, NULL, NULL, '', false, NULL, NULL, NULL, NULL"
                        + " FROM pg_catalog.pg_namespace n WHERE " + USER_SCHEMA
                        + notMember.formatted("'pg_catalog.pg_namespace'::pg_catalog.regclass", "n.oid")),
                new Query("tables", "SELECT 'table', n.nspname, NULL, r.relname, NULL,"
                        + " CASE r.relkind WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table' ELSE 'table' END"
                        + " || CASE r.relpersistence WHEN 'u' THEN ', unlogged' ELSE '' END"
                        + " || coalesce(CASE WHEN " + relispartition + " THEN ', partition of ' ELSE ', inherits ' END"
                        + "   || (SELECT pg_catalog.string_agg(pn.nspname || '.' || pc.relname, ', ' ORDER BY i.inhseqno)"
                        + "       FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
                        + "       JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = r.oid), '')"
                        + " || coalesce(', with ' || pg_catalog.array_to_string(r.reloptions, ', '), '')"
                        + " || CASE WHEN r.relrowsecurity THEN ', row security' ELSE '' END"
                        + " || CASE WHEN r.relforcerowsecurity THEN ' (forced)' ELSE '' END,"
                        + " false, NULL, NULL, NULL, NULL FROM " + relation
                        + " WHERE r.relkind IN ('r', 'p', 'f') AND " + USER_SCHEMA + tableNotMember),
                new Query("partitioning", "SELECT 'partitioning of table', n.nspname, NULL, r.relname, NULL,"
                        + " concat_ws(', ', CASE WHEN r.relkind = 'p' THEN 'PARTITION BY '"
                        + "   || pg_catalog.pg_get_partkeydef(r.oid) END,"
                        + "   CASE WHEN r.relispartition THEN pg_catalog.pg_get_expr(r.relpartbound, r.oid) END),"
                        + " true, 'table', NULL, r.relname, NULL FROM " + relation
                        + " WHERE r.relkind IN ('r', 'p', 'f') AND (r.relkind = 'p' OR r.relispartition) AND "
                        + USER_SCHEMA + tableNotMember),
                new Query("columns", "SELECT 'column', n.nspname, r.relname, a.attname, NULL,"
                        + " pg_catalog.format_type(a.atttypid, a.atttypmod)"
                        + " || CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || co.collname ELSE '' END"
                        + " || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
                        + " || CASE " + attidentity + " WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'"
                        + "    WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END"
                        + (major >= 12 ? " || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS (STORED)' ELSE '' END"
                        : "") + ","
                        + " false, 'table', NULL, r.relname, NULL FROM " + relation
                        + " JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped"
                        + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                        + " LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
                        + " WHERE r.relkind IN ('r', 'p', 'f') AND " + USER_SCHEMA + tableNotMember),
                new Query("column defaults", "SELECT "
                        + (major >= 12 ? "CASE WHEN a.attgenerated = 's' THEN 'generation expression of column'"
                        + " ELSE 'default of column' END" : "'default of column'") + ","
                        + " n.nspname, r.relname, a.attname, NULL, pg_catalog.pg_get_expr(d.adbin, d.adrelid), true,"
                        + " 'column', r.relname, a.attname, NULL FROM " + relation
                        + " JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped"
                        + " JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                        + " WHERE r.relkind IN ('r', 'p', 'f') AND " + USER_SCHEMA + tableNotMember),
                new Query("indexes", "SELECT 'index', n.nspname, NULL, i.relname, NULL,"
                        + " pg_catalog.pg_get_indexdef(i.oid), true, " + relationKind + ", NULL, r.relname, NULL"
                        + " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
                        + " JOIN pg_catalog.pg_class r ON r.oid = x.indrelid"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace WHERE " + USER_SCHEMA),
                // Constraints cloned onto partitions from a partitioned table's (conparentid) get names generated at
                // restore: they are keyed by their table and definition instead.
                new Query("constraints", "SELECT CASE WHEN " + conparentid + " <> 0 THEN 'cloned constraint'"
                        + "   WHEN c.contypid <> 0 THEN 'domain constraint' ELSE 'constraint' END,"
                        + " n.nspname, coalesce(r.relname, t.typname),"
                        + " CASE WHEN " + conparentid + " <> 0 THEN NULL ELSE c.conname END,"
                        + " CASE WHEN " + conparentid + " <> 0 THEN ' ' || pg_catalog.pg_get_constraintdef(c.oid) END,"
                        + " pg_catalog.pg_get_constraintdef(c.oid), true,"
                        + " CASE WHEN c.contypid <> 0 THEN 'type' ELSE 'table' END, NULL, coalesce(r.relname, t.typname), NULL"
                        + " FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace"
                        + " LEFT JOIN pg_catalog.pg_class r ON r.oid = c.conrelid"
                        + " LEFT JOIN pg_catalog.pg_type t ON t.oid = c.contypid"
                        + " WHERE c.contype <> 'n' AND (r.oid IS NOT NULL OR t.oid IS NOT NULL) AND " + USER_SCHEMA),
                new Query("views", "SELECT " + relationKind + ", n.nspname, NULL, r.relname, NULL,"
                        + " CASE WHEN r.relkind = 'm' THEN CASE WHEN r.relispopulated THEN 'populated' ELSE 'not populated'"
                        + "   END ELSE '' END || coalesce(' with ' || pg_catalog.array_to_string(r.reloptions, ', '), ''),"
                        + " false, NULL, NULL, NULL, NULL FROM " + relation
                        + " WHERE r.relkind IN ('v', 'm') AND " + USER_SCHEMA + tableNotMember),
                new Query("view queries", "SELECT 'query of ' || " + relationKind + ", n.nspname, NULL, r.relname, NULL,"
                        + " pg_catalog.pg_get_viewdef(r.oid), true, " + relationKind + ", NULL, r.relname, NULL FROM "
                        + relation + " WHERE r.relkind IN ('v', 'm') AND " + USER_SCHEMA + tableNotMember),
                new Query("sequences", "SELECT 'sequence', n.nspname, NULL, r.relname, NULL,"
                        + " 'as ' || pg_catalog.format_type(s.seqtypid, NULL) || ', increment ' || s.seqincrement"
                        + " || ', minvalue ' || s.seqmin || ', maxvalue ' || s.seqmax || ', start ' || s.seqstart"
                        + " || ', cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ', cycle' ELSE ', no cycle' END,"
                        + " false, NULL, NULL, NULL, NULL FROM " + relation
                        + " JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid WHERE " + USER_SCHEMA + tableNotMember),
                new Query("functions", "SELECT " + functionKind + ", n.nspname, NULL, p.proname,"
                        + " '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',"
                        + " CASE WHEN " + prokind + " = 'a' THEN 'returns ' || pg_catalog.pg_get_function_result(p.oid)"
                        + "   || ', state ' || pg_catalog.format_type(g.aggtranstype, NULL) || ' by ' || g.aggtransfn::text"
                        + "   || CASE WHEN g.aggfinalfn <> 0 THEN ', final ' || g.aggfinalfn::text ELSE '' END"
                        + "   || coalesce(', initially ' || g.agginitval, '')"
                        + " ELSE 'returns ' || coalesce(pg_catalog.pg_get_function_result(p.oid), 'nothing')"
                        + "   || ', language ' || l.lanname"
                        + "   || CASE p.provolatile WHEN 'i' THEN ', immutable' WHEN 's' THEN ', stable' ELSE ', volatile' END"
                        + "   || CASE WHEN p.proisstrict THEN ', strict' ELSE '' END"
                        + "   || CASE WHEN p.prosecdef THEN ', security definer' ELSE '' END"
                        + "   || CASE WHEN p.proleakproof THEN ', leakproof' ELSE '' END"
                        + "   || CASE " + proparallel + " WHEN 's' THEN ', parallel safe' WHEN 'r' THEN ', parallel restricted'"
                        + "      ELSE '' END"
                        + "   || ', cost ' || p.procost || CASE WHEN p.proretset THEN ', rows ' || p.prorows ELSE '' END"
                        + "   || coalesce(', set ' || pg_catalog.array_to_string(p.proconfig, ', '), '') END,"
                        + " false, NULL, NULL, NULL, NULL"
                        + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                        + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
                        + " LEFT JOIN pg_catalog.pg_aggregate g ON g.aggfnoid = p.oid WHERE " + USER_SCHEMA
                        + notMember.formatted("'pg_catalog.pg_proc'::pg_catalog.regclass", "p.oid")),
                // The body as stored (prosrc is the text the user wrote, the same on every version); a SQL-standard
                // body (14+) exists only as a parse tree, so it is compared as printed.
                new Query("function bodies", "SELECT 'body of ' || " + functionKind + ", n.nspname, NULL, p.proname,"
                        + " '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',"
                        + (major >= 14 ? " CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_functiondef(p.oid)"
                        + " ELSE p.prosrc END, p.prosqlbody IS NOT NULL," : " p.prosrc, false,")
                        + " " + functionKind + ", NULL, p.proname,"
                        + " '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'"
                        + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                        + " WHERE " + prokind + " <> 'a' AND " + USER_SCHEMA
                        + notMember.formatted("'pg_catalog.pg_proc'::pg_catalog.regclass", "p.oid")),
                // Triggers PostgreSQL clones onto partitions (internal before 13, tgparentid from 13) follow their
                // parent's.
                new Query("triggers", "SELECT 'trigger', n.nspname, r.relname, g.tgname, NULL,"
                        + " CASE g.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'enabled on replicas only'"
                        + "   WHEN 'A' THEN 'enabled always' ELSE 'enabled' END,"
                        + " false, " + relationKind + ", NULL, r.relname, NULL FROM pg_catalog.pg_trigger g"
                        + " JOIN pg_catalog.pg_class r ON r.oid = g.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                        + " WHERE NOT g.tgisinternal" + (major >= 13 ? " AND g.tgparentid = 0" : "") + " AND " + USER_SCHEMA),
                // PostgreSQL 11 prints EXECUTE PROCEDURE where 12 and later print EXECUTE FUNCTION, for the same trigger.
                new Query("trigger definitions", "SELECT 'definition of trigger', n.nspname, r.relname, g.tgname, NULL,"
                        + " pg_catalog.replace(pg_catalog.pg_get_triggerdef(g.oid), 'EXECUTE PROCEDURE', 'EXECUTE FUNCTION'),"
                        + " true, 'trigger', r.relname, g.tgname, NULL FROM pg_catalog.pg_trigger g"
                        + " JOIN pg_catalog.pg_class r ON r.oid = g.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                        + " WHERE NOT g.tgisinternal" + (major >= 13 ? " AND g.tgparentid = 0" : "") + " AND " + USER_SCHEMA),
                // Array types and tables' row types come with their element types and tables.
                new Query("types", "SELECT 'type', n.nspname, NULL, t.typname, NULL,"
                        + " CASE t.typtype"
                        + "   WHEN 'e' THEN 'enum (' || (SELECT pg_catalog.string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)"
                        + "     FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) || ')'"
                        + "   WHEN 'd' THEN 'domain over ' || pg_catalog.format_type(t.typbasetype, t.typtypmod)"
                        + "     || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END"
                        + "   WHEN 'c' THEN 'composite (' || (SELECT pg_catalog.string_agg(a.attname || ' '"
                        + "     || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)"
                        + "     FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0"
                        + "     AND NOT a.attisdropped) || ')'"
                        + "   WHEN 'r' THEN 'range of ' || (SELECT pg_catalog.format_type(g.rngsubtype, NULL)"
                        + "     FROM pg_catalog.pg_range g WHERE g.rngtypid = t.oid)"
                        + "   ELSE t.typtype::text END,"
                        + " false, NULL, NULL, NULL, NULL"
                        + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                        + " WHERE t.typtype IN ('e', 'c', 'd', 'r') AND t.typcategory <> 'A'"
                        + " AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')"
                        + " AND " + USER_SCHEMA + notMember.formatted("'pg_catalog.pg_type'::pg_catalog.regclass", "t.oid")),
                new Query("domain defaults", "SELECT 'default of domain', n.nspname, NULL, t.typname, NULL, t.typdefault,"
                        + " true, 'type', NULL, t.typname, NULL"
                        + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                        + " WHERE t.typtype = 'd' AND t.typdefault IS NOT NULL AND " + USER_SCHEMA
                        + notMember.formatted("'pg_catalog.pg_type'::pg_catalog.regclass", "t.oid")),
                // Names only: CREATE EXTENSION on a newer server installs that server's default version, as pg_restore does.
                new Query("extensions", "SELECT 'extension', NULL, NULL, x.extname, NULL, '', false, NULL, NULL, NULL,"
                        + " NULL FROM pg_catalog.pg_extension x"),
                new Query("large objects", "SELECT 'large objects', NULL, NULL, NULL, NULL, pg_catalog.count(*)::text,"
                        + " false, NULL, NULL, NULL, NULL FROM pg_catalog.pg_largeobject_metadata")));
        if (!v10) {
            // no declarative partitioning, and the sequences are read one by one (sequencesBefore10)
            all.removeIf(q -> q.what().equals("partitioning") || q.what().equals("sequences"));
        }
        return all;
    }
}
