package org.pgmigrate.testkit.compare;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The test oracle: proves that a target database equals its source, independently of the engine's own verification
 * (a different query shape, so that one bug cannot hide in both).
 *
 * <ul>
 *   <li>every table and materialized view: row count and an ordered hash (md5 of each row's text, sorted, hashed
 *       again), floats compared by their binary image so that PostgreSQL 11's float text does not differ from 12+;</li>
 *   <li>every sequence: last_value and is_called;</li>
 *   <li>objects by kind, by name: schemas, tables, partitions, indexes (with definitions), constraints (with
 *       definitions), views, materialized views, functions, triggers, types, extensions, comments, large objects
 *       (with an md5 of their contents).</li>
 * </ul>
 */
public final class DatabaseComparer {

    private static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp%'";

    private DatabaseComparer() {
    }

    /**
     * Every difference between source and target, described; empty when they are equal. The two sides are read at
     * once, the target on a thread of its own: each read is the server's work, and they are two servers (or two
     * sessions).
     */
    public static List<String> differences(Connection source, Connection target) throws SQLException {
        // A thread of its own, not the common pool, which a test may keep busy (a migration run with supplyAsync).
        FutureTask<Side> targetRead = new FutureTask<>(() -> Side.read(target));
        new Thread(targetRead, "comparer-target").start();
        Side sourceSide;
        try {
            sourceSide = Side.read(source);
        } finally {
            awaitQuietly(targetRead); // never leave a thread working on the caller's connection
        }
        Side targetSide = result(targetRead);
        List<String> differences = new ArrayList<>();
        for (String key : new TreeSet<>(union(sourceSide.objects().keySet(), targetSide.objects().keySet()))) {
            String s = sourceSide.objects().get(key);
            String t = targetSide.objects().get(key);
            if (s == null) {
                differences.add("only on the target: " + key);
            } else if (t == null) {
                differences.add("missing on the target: " + key);
            } else if (!s.equals(t)) {
                differences.add("differs: " + key + "\n    source: " + s + "\n    target: " + t);
            }
        }
        for (Map.Entry<String, String> e : sourceSide.data().entrySet()) {
            String t = targetSide.data().get(e.getKey());
            if (t != null && !t.equals(e.getValue())) {
                differences.add("data differs: " + e.getKey() + " source " + e.getValue() + ", target " + t);
            }
        }
        for (Map.Entry<String, String> e : sourceSide.sequences().entrySet()) {
            if (!Objects.equals(e.getValue(), targetSide.sequences().get(e.getKey()))) {
                differences.add("sequence differs: " + e.getKey() + " source " + e.getValue() + ", target "
                        + targetSide.sequences().get(e.getKey()));
            }
        }
        return differences;
    }

    /** What one side holds: objects by kind and name, each table's rows, each sequence's position. */
    private record Side(Map<String, String> objects, Map<String, String> data, Map<String, String> sequences) {

        static Side read(Connection c) throws SQLException {
            pin(c);
            return new Side(DatabaseComparer.objects(c), DatabaseComparer.tableData(c), DatabaseComparer.sequences(c));
        }
    }

    private static void awaitQuietly(FutureTask<Side> read) {
        boolean interrupted = false;
        while (true) {
            try {
                read.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Side result(FutureTask<Side> read) throws SQLException {
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the target", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Throws an AssertionError listing every difference. */
    public static void assertEqual(Connection source, Connection target) throws SQLException {
        List<String> differences = differences(source, target);
        if (!differences.isEmpty()) {
            throw new AssertionError("Target differs from source:\n  " + String.join("\n  ", differences));
        }
    }

    /** Row count and ordered hash of every table and materialized view, by qualified name. */
    public static Map<String, String> tableData(Connection c) throws SQLException {
        Map<String, List<String[]>> columns = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(r.relname), quote_ident(a.attname), a.atttypid"
                        + " FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace"
                        + " JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped"
                        + " WHERE (r.relkind = 'r' OR (r.relkind = 'm' AND r.relispopulated)) AND " + USER_SCHEMAS
                        + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = r.oid AND d.deptype = 'e')"
                        + " ORDER BY 1, a.attnum")) {
            while (rs.next()) {
                columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new String[] {rs.getString(2), rs.getString(3)});
            }
        }
        Map<String, String> data = new TreeMap<>();
        for (Map.Entry<String, List<String[]>> table : columns.entrySet()) {
            // An ARRAY constructor, not concat_ws: a function takes at most 100 arguments, a table up to 1600 columns.
            StringBuilder row = new StringBuilder("array_to_string(ARRAY[NULL::text");
            for (String[] col : table.getValue()) {
                String expr = switch (col[1]) {
                    case "701" -> "encode(float8send(x." + col[0] + "), 'hex')";
                    case "700" -> "encode(float4send(x." + col[0] + "), 'hex')";
                    // Float arrays print differently on PostgreSQL 11 and 12+: compare element images.
                    case "1021", "1022" -> "(SELECT array_agg(encode(" + (col[1].equals("1022") ? "float8send" : "float4send")
                            + "(e), 'hex')) FROM unnest(x." + col[0] + ") e)::text || coalesce(array_dims(x." + col[0] + "), '')";
                    default -> "x." + col[0] + "::text";
                };
                row.append(", coalesce(quote_literal(").append(expr).append("), 'NULL')");
            }
            row.append("], ',')");
            String sql = "SELECT count(*) || ' rows ' || coalesce(md5(string_agg(h, '' ORDER BY h)), '-')"
                    + " FROM (SELECT md5(" + row + ") AS h FROM " + table.getKey() + " x) hashes";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                data.put(table.getKey(), rs.getString(1));
            }
        }
        return data;
    }

    private static Map<String, String> sequences(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(r.relname) FROM pg_class r"
                        + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind = 'S' AND " + USER_SCHEMAS)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        Map<String, String> values = new TreeMap<>();
        for (String name : names) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT last_value || CASE WHEN is_called THEN ' called' ELSE '' END FROM " + name)) {
                rs.next();
                values.put(name, rs.getString(1));
            }
        }
        return values;
    }

    /** "kind name" → definition (or "" where only existence matters). */
    static Map<String, String> objects(Connection c) throws SQLException {
        int version = serverVersionNum(c);
        // Catalog columns that older servers lack: partition bounds came with 10, prokind with 11.
        String partitionBound = version >= 100000 ? "pg_get_expr(r.relpartbound, r.oid)" : "NULL::text";
        String plainFunction = version >= 110000 ? "p.prokind IN ('f', 'p')" : "NOT p.proisagg AND NOT p.proiswindow";
        Map<String, String> objects = new LinkedHashMap<>();
        query(c, objects, "schema", "SELECT n.nspname, '' FROM pg_namespace n WHERE " + USER_SCHEMAS);
        query(c, objects, "table", "SELECT n.nspname || '.' || r.relname, r.relkind::text || ' ' || r.relpersistence::text"
                + " || coalesce(' partition ' || " + partitionBound + ", '')"
                + " FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind IN ('r', 'p', 'f') AND " + USER_SCHEMAS);
        query(c, objects, "column", "SELECT n.nspname || '.' || r.relname || '.' || a.attname,"
                + " format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
                + " || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')"
                + " FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE r.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND " + USER_SCHEMAS);
        query(c, objects, "index", "SELECT n.nspname || '.' || i.relname, pg_get_indexdef(i.oid)"
                + " FROM pg_class i JOIN pg_namespace n ON n.oid = i.relnamespace WHERE i.relkind IN ('i', 'I') AND " + USER_SCHEMAS);
        query(c, objects, "constraint", "SELECT n.nspname || '.' || r.relname || '.' || con.conname, pg_get_constraintdef(con.oid)"
                + " FROM pg_constraint con JOIN pg_class r ON r.oid = con.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
                // 18 records NOT NULL in pg_constraint too ('n'); the column lines compare nullability on every major
                + " WHERE con.contype <> 'n' AND " + USER_SCHEMAS);
        query(c, objects, "view", "SELECT n.nspname || '.' || r.relname, r.relkind::text || ' populated ' || r.relispopulated"
                + " FROM pg_class r"
                + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind IN ('v', 'm') AND " + USER_SCHEMAS);
        query(c, objects, "sequence", "SELECT n.nspname || '.' || r.relname, '' FROM pg_class r"
                + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind = 'S' AND " + USER_SCHEMAS);
        query(c, objects, "function", "SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
                + " md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE " + plainFunction + " AND " + USER_SCHEMAS
                // extension members, and functions PostgreSQL makes itself (multirange constructors on 14+)
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype IN ('e', 'i'))");
        query(c, objects, "trigger", "SELECT n.nspname || '.' || r.relname || '.' || t.tgname,"
                + " replace(pg_get_triggerdef(t.oid), 'EXECUTE PROCEDURE', 'EXECUTE FUNCTION')"
                + " FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE NOT t.tgisinternal AND " + USER_SCHEMAS);
        // Array and multirange types come with their element and range types (multiranges only on 14+ targets).
        query(c, objects, "type", "SELECT n.nspname || '.' || t.typname, t.typtype::text FROM pg_type t"
                + " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype IN ('e', 'c', 'd', 'r', 'b')"
                + " AND t.typcategory <> 'A'"
                + " AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') AND " + USER_SCHEMAS
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')");
        // Names only: CREATE EXTENSION on a newer server installs that server's default version, as pg_restore does.
        query(c, objects, "extension", "SELECT extname, '' FROM pg_extension");
        query(c, objects, "comment", "SELECT d.classoid::regclass || ' ' || d.objoid::regclass::text || ' ' || d.objsubid, d.description"
                + " FROM pg_description d JOIN pg_class r ON r.oid = d.objoid JOIN pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE d.classoid = 'pg_class'::regclass AND " + USER_SCHEMAS);
        query(c, objects, "large object", "SELECT oid::text, md5(lo_get(oid)) FROM pg_largeobject_metadata");
        return objects;
    }

    private static void query(Connection c, Map<String, String> into, String kind, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                into.put(kind + " " + rs.getString(1), String.valueOf(rs.getString(2)));
            }
        }
    }

    private static int serverVersionNum(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void pin(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';"
                    + " SET extra_float_digits = 3; SET bytea_output = 'hex'; SET search_path = ''");
        }
    }

    private static <T> java.util.Set<T> union(java.util.Set<T> a, java.util.Set<T> b) {
        java.util.Set<T> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
