package org.pgmigrate.engine.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * The statistics the index phase's per-table ANALYZE cannot gather, gathered once post-data is restored: tables that
 * extended statistics ({@code CREATE STATISTICS}) are on, and partitioned tables analyzed on the source.
 *
 * <ul>
 *   <li>Extended statistics: ANALYZE fills such an object only if it exists when it runs, and pg_dump puts
 *       {@code CREATE STATISTICS} in post-data, after the index phase analyzed the table. That ANALYZE also resets
 *       the table's change counter, so autovacuum would never analyze it again and the planner would go without the
 *       statistics the source's owner created (after a plain pg_restore, with no ANALYZE, autovacuum's first visit
 *       fills them).</li>
 *   <li>Partitioned tables hold no rows, so the index phase does not analyze them, and autovacuum never does (the
 *       PostgreSQL documentation asks for a manual ANALYZE): their statistics over all partitions, which the planner
 *       uses for joins and aggregates on the parent, would be missing. Only those analyzed on the source (a
 *       {@code pg_stats} row for the parent) are analyzed here: the same statistics as there, and no sampling of
 *       every partition again where the source's owner never asked for it. Before 18, ANALYZE of a partitioned table
 *       also analyzes each of its partitions (18 has {@code ANALYZE ONLY}), so the index phase leaves the ANALYZE of
 *       those partitions to it ({@link #analyzedWithParent}) instead of doing it twice; a partition whose parent is
 *       not on the target after all (left out by the filters) is analyzed on its own here.</li>
 * </ul>
 * Read from the source before the copy ({@link #plan}), used by the index phase, then {@link #gather} after
 * post-data.
 */
public final class LateStatistics {

    /** Partitioned tables with statistics on the source, and every table under them (any depth). */
    private static final String ANALYZED_PARENTS = "WITH RECURSIVE parents AS ("
            // pg_stats shows the rows of the tables the user may read, by name; its inherited rows are few
            + "   SELECT c.oid, n.nspname, c.relname"
            + "     FROM (SELECT DISTINCT schemaname, tablename FROM pg_catalog.pg_stats WHERE inherited) s"
            + "     JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname"
            + "     JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename"
            + "    WHERE c.relkind = 'p'),"
            + " tree(root, child) AS ("
            + "   SELECT i.inhparent, i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent IN (SELECT oid FROM parents)"
            + "   UNION ALL SELECT t.root, i.inhrelid FROM tree t JOIN pg_catalog.pg_inherits i ON i.inhparent = t.child)"
            + " SELECT p.oid, p.nspname, p.relname, t.child FROM parents p LEFT JOIN tree t ON t.root = p.oid"
            + " ORDER BY p.nspname, p.relname";

    /** The partitioned tables to analyze: source OID, quoted name. */
    private final Map<Long, String> parents;
    /** Copied partitions whose ANALYZE their parent's does, by source OID. */
    private final Map<Long, LeftToParent> deferred;
    private final boolean analyzeOnly;

    /** A partition (quoted name) and the source OID of the partitioned table whose ANALYZE also analyzes it. */
    private record LeftToParent(String partition, long parent) {
    }

    private LateStatistics(Map<Long, String> parents, Map<Long, LeftToParent> deferred, boolean analyzeOnly) {
        this.parents = parents;
        this.deferred = deferred;
        this.analyzeOnly = analyzeOnly;
    }

    /** Nothing to gather, nothing left to a parent: for a migration that does not analyze. */
    public static LateStatistics none() {
        return new LateStatistics(Map.of(), Map.of(), false);
    }

    /**
     * Reads which partitioned tables have statistics on the source.
     *
     * @param source a session on the source database (the migration's snapshot holder)
     * @param copied the tables the migration copies
     */
    public static LateStatistics plan(Connection source, List<Table> copied, ServerVersion target) throws SQLException {
        Map<Long, String> parents = new LinkedHashMap<>();
        Map<Long, Set<Long>> below = new HashMap<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(ANALYZED_PARENTS)) {
            while (rs.next()) {
                long parent = rs.getLong(1);
                parents.putIfAbsent(parent, Identifiers.qualified(rs.getString(2), rs.getString(3)));
                Set<Long> children = below.computeIfAbsent(parent, k -> new HashSet<>());
                long child = rs.getLong(4);
                if (!rs.wasNull()) {
                    children.add(child);
                }
            }
        }
        boolean analyzeOnly = target.atLeast(18);
        if (!analyzeOnly) {
            // A sub-partitioned table under another one is analyzed by its ancestor's ANALYZE: not on its own.
            Set<Long> covered = new HashSet<>();
            below.values().forEach(covered::addAll);
            parents.keySet().removeIf(covered::contains);
        }
        Map<Long, LeftToParent> deferred = new HashMap<>();
        if (!analyzeOnly) {
            Map<Long, Long> parentOf = new HashMap<>();
            parents.keySet().forEach(parent -> below.get(parent).forEach(child -> parentOf.put(child, parent)));
            for (Table table : copied) {
                Long parent = parentOf.get(table.oid());
                if (parent != null) {
                    deferred.put(table.oid(), new LeftToParent(table.qualifiedName(), parent));
                }
            }
        }
        return new LateStatistics(parents, deferred, analyzeOnly);
    }

    /** Whether the table is a partition that its partitioned table's ANALYZE, in {@link #gather}, analyzes. */
    public boolean analyzedWithParent(Table table) {
        return deferred.containsKey(table.oid());
    }

    /**
     * ANALYZEs, on the target, the tables that extended statistics are on, the partitioned tables that have
     * statistics on the source, and the partitions left to a parent that is not on the target; returns how many
     * statements ran.
     */
    public int gather(Connection target) throws SQLException {
        Set<String> statements = new LinkedHashSet<>();
        // The tables a statement below analyzes (with their extended statistics, by then created)
        Set<String> covered = new HashSet<>();
        Set<Long> analyzedParents = new HashSet<>();
        for (Map.Entry<Long, String> parent : parents.entrySet()) {
            if (exists(target, parent.getValue())) {
                statements.add("ANALYZE " + (analyzeOnly ? "ONLY " : "") + parent.getValue());
                covered.add(parent.getValue());
                analyzedParents.add(parent.getKey());
            }
        }
        for (LeftToParent left : deferred.values()) {
            if (analyzedParents.contains(left.parent())) {
                covered.add(left.partition());
            } else {
                statements.add("ANALYZE " + left.partition());
            }
        }
        for (String table : names(target, "SELECT n.nspname, c.relname FROM pg_catalog.pg_statistic_ext x"
                + " JOIN pg_catalog.pg_class c ON c.oid = x.stxrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2")) {
            if (!covered.contains(table)) {
                statements.add("ANALYZE " + table);
            }
        }
        for (String sql : statements) {
            try (Statement s = target.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                throw new SQLException(sql + " (statistics after post-data): " + e.getMessage(), e.getSQLState(), e);
            }
        }
        return statements.size();
    }

    private static List<String> names(Connection c, String sql) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                names.add(Identifiers.qualified(rs.getString(1), rs.getString(2)));
            }
        }
        return names;
    }

    private static boolean exists(Connection target, String qualifiedName) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualifiedName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
