package org.pgmigrate.engine.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * Reads a source database's {@link Catalog} with a handful of set-based queries, so that 20 000 tables cost the same
 * few round trips as 20. Run it on a connection inside the migration's snapshot with {@code search_path} empty, so
 * that every name {@code pg_get_indexdef} prints is schema-qualified (as pg_dump does).
 *
 * <p>Stateless; not tied to a thread.
 */
public final class CatalogReader {

    /** Schemas that belong to the system, never to the migrated database. */
    static final String SYSTEM_SCHEMAS =
            "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
                    + " AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

    private CatalogReader() {
    }

    public static Catalog read(Connection c, String databaseName) throws SQLException {
        ServerVersion version = ServerVersion.of(c);
        DatabaseProperties database = readDatabase(c, version, databaseName);
        Map<Long, List<Column>> columns = readColumns(c, version);
        Map<Long, Column> splitKeys = readSplitKeys(c, columns);
        Map<Long, List<String>> orderKeys = readOrderKeys(c);
        List<Table> tables = readTables(c, version, columns, splitKeys, orderKeys);
        List<Index> indexes = readIndexes(c, version);
        List<Sequence> sequences = readSequences(c);
        long largeObjects = count(c, "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata");
        return new Catalog(version, database, tables, indexes, sequences, largeObjects);
    }

    private static DatabaseProperties readDatabase(Connection c, ServerVersion v, String name) throws SQLException {
        String provider = v.atLeast(15) ? "d.datlocprovider::text" : "'c'";
        String icu = v.atLeast(17) ? "d.datlocale" : v.atLeast(15) ? "d.daticulocale" : "NULL::text";
        String sql = "SELECT pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, " + provider + ", " + icu
                + ", (SELECT s.setconfig FROM pg_catalog.pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole = 0)"
                + " FROM pg_catalog.pg_database d WHERE d.datname = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("database " + name + " not found in pg_database", "3D000");
                }
                Array config = rs.getArray(6);
                List<String> settings = config == null ? List.of() : Arrays.asList((String[]) config.getArray());
                return new DatabaseProperties(name, rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4).charAt(0), rs.getString(5), settings);
            }
        }
    }

    private static Map<Long, List<Column>> readColumns(Connection c, ServerVersion v) throws SQLException {
        String notGenerated = v.atLeast(12) ? " AND a.attgenerated = ''" : "";
        Set<Long> binaryPortable = BinaryPortability.portableColumnTypes(c, v);
        String sql = "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid"
                + " FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class r ON r.oid = a.attrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE r.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped" + notGenerated
                + " AND " + SYSTEM_SCHEMAS
                + " ORDER BY a.attrelid, a.attnum";
        Map<Long, List<Column>> byTable = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                long typeOid = rs.getLong(4);
                boolean floating = typeOid == 700 || typeOid == 701;
                byTable.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                        .add(new Column(rs.getString(2), rs.getString(3), typeOid, binaryPortable.contains(typeOid), floating));
            }
        }
        return byTable;
    }

    /** Tables with a NOT NULL single-column smallint/integer/bigint key backed by a unique index (PK first). */
    private static Map<Long, Column> readSplitKeys(Connection c, Map<Long, List<Column>> columns) throws SQLException {
        String sql = "SELECT DISTINCT ON (i.indrelid) i.indrelid, a.attname"
                + " FROM pg_catalog.pg_index i"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                + " WHERE i.indisunique AND i.indisvalid AND i.indnatts = 1 AND i.indpred IS NULL AND i.indexprs IS NULL"
                + " AND a.attnotnull AND a.atttypid IN (20, 21, 23)"
                + " ORDER BY i.indrelid, i.indisprimary DESC";
        Map<Long, Column> keys = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                long table = rs.getLong(1);
                String name = rs.getString(2);
                columns.getOrDefault(table, List.of()).stream().filter(col -> col.name().equals(name)).findFirst()
                        .ifPresent(col -> keys.put(table, col));
            }
        }
        return keys;
    }

    /** Primary key columns, else the columns of a NOT NULL unique index, in index order. */
    private static Map<Long, List<String>> readOrderKeys(Connection c) throws SQLException {
        String sql = "SELECT DISTINCT ON (i.indrelid) i.indrelid,"
                + " ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)"
                + "       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)"
                + " FROM pg_catalog.pg_index i"
                + " WHERE i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL"
                + " AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey::int2[]) k(attnum)"
                + "   JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE NOT a.attnotnull)"
                + " ORDER BY i.indrelid, i.indisprimary DESC, i.indnatts";
        Map<Long, List<String>> keys = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                keys.put(rs.getLong(1), Arrays.asList((String[]) rs.getArray(2).getArray()));
            }
        }
        return keys;
    }

    private static List<Table> readTables(Connection c, ServerVersion v, Map<Long, List<Column>> columns,
                                          Map<Long, Column> splitKeys, Map<Long, List<String>> orderKeys) throws SQLException {
        String heap = v.atLeast(12)
                ? "COALESCE((SELECT am.amname = 'heap' FROM pg_catalog.pg_am am WHERE am.oid = r.relam), true)" : "true";
        // Declarative partitions came with 10; before, a child of an inheritance tree is a table of its own.
        String partition = v.atLeast(10) ? "r.relispartition" : "false";
        // Members of an extension are created by CREATE EXTENSION; only its configuration tables carry user rows,
        // selected by the extension's own filter (pg_extension.extcondition), as pg_dump does.
        String sql = "SELECT r.oid, n.nspname, r.relname, " + partition + ", r.relpersistence = 'u',"
                + " pg_catalog.pg_table_size(r.oid), GREATEST(r.reltuples, 0)::bigint, " + heap + ","
                + " ext.member, ext.condition"
                + " FROM pg_catalog.pg_class r"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " LEFT JOIN LATERAL (SELECT true AS member,"
                + "     (SELECT CASE WHEN cfg.condition IS NULL THEN NULL ELSE COALESCE(NULLIF(cfg.condition, ''), 'true') END"
                + "        FROM pg_catalog.pg_extension e,"
                + "             LATERAL unnest(e.extconfig, e.extcondition) AS cfg(reloid, condition)"
                + "       WHERE e.oid = d.refobjid AND cfg.reloid = r.oid) AS condition"
                + "   FROM pg_catalog.pg_depend d"
                + "   WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = r.oid"
                + "     AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e') ext ON true"
                + " WHERE r.relkind = 'r' AND " + SYSTEM_SCHEMAS
                + " ORDER BY n.nspname, r.relname";
        List<Table> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                long oid = rs.getLong(1);
                boolean extensionMember = rs.getBoolean(9);
                String extensionFilter = rs.getString(10);
                if (extensionMember && extensionFilter == null) {
                    continue;
                }
                tables.add(new Table(oid, rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getBoolean(5),
                        rs.getLong(6), rs.getLong(7), columns.getOrDefault(oid, List.of()), splitKeys.get(oid),
                        orderKeys.getOrDefault(oid, List.of()), rs.getBoolean(8), extensionFilter));
            }
        }
        return tables;
    }

    /**
     * Valid indexes of plain (non-partition, non-extension) tables: these the engine builds in parallel as soon as
     * the table is loaded. Indexes of partitions and partitioned tables stay in post-data, where pg_restore also
     * attaches them to their parents.
     */
    private static List<Index> readIndexes(Connection c, ServerVersion v) throws SQLException {
        String notPartition = v.atLeast(10) ? " AND NOT r.relispartition" : "";
        // A key WITHOUT OVERLAPS (18) is backed by a GiST index, which ADD CONSTRAINT ... USING INDEX refuses: like
        // an exclusion constraint, it is added from its definition and builds its own index.
        String ownIndex = v.atLeast(18) ? "con.contype = 'x' OR con.conperiod" : "con.contype = 'x'";
        String sql = "SELECT i.indexrelid, i.indrelid, n.nspname, ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid),"
                + " con.oid, con.conname, con.contype, con.condeferrable, con.condeferred,"
                + " CASE WHEN " + ownIndex + " THEN pg_catalog.pg_get_constraintdef(con.oid) END,"
                + " i.indisreplident, i.indisclustered"
                + " FROM pg_catalog.pg_index i"
                + " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN pg_catalog.pg_class r ON r.oid = i.indrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid"
                + "      AND con.contype IN ('p', 'u', 'x')"
                + " WHERE r.relkind = 'r'" + notPartition + " AND i.indisvalid AND " + SYSTEM_SCHEMAS
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass"
                + "      AND d.objid = r.oid AND d.deptype = 'e')"
                + " ORDER BY i.indrelid, ic.relname";
        List<Index> indexes = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Index.Constraint constraint = null;
                long conOid = rs.getLong(6);
                if (!rs.wasNull()) {
                    constraint = new Index.Constraint(conOid, rs.getString(7), rs.getString(8).charAt(0),
                            rs.getBoolean(9), rs.getBoolean(10), rs.getString(11));
                }
                indexes.add(new Index(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        constraint, rs.getBoolean(12), rs.getBoolean(13)));
            }
        }
        return indexes;
    }

    private static List<Sequence> readSequences(Connection c) throws SQLException {
        String sql = "SELECT n.nspname, s.relname FROM pg_catalog.pg_class s"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace"
                + " WHERE s.relkind = 'S' AND " + SYSTEM_SCHEMAS
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass"
                + "      AND d.objid = s.oid AND d.deptype = 'e')"
                + " ORDER BY 1, 2";
        List<Sequence> sequences = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                sequences.add(new Sequence(rs.getString(1), rs.getString(2)));
            }
        }
        return sequences;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
