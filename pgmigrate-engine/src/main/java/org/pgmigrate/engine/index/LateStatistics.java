package org.pgmigrate.engine.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.pgmigrate.engine.pg.Identifiers;

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
 *       every partition again where the source's owner never asked for it.</li>
 * </ul>
 * Each table named is analyzed once; one that the migration's filters left out is not on the target and is skipped.
 */
public final class LateStatistics {

    private LateStatistics() {
    }

    /**
     * ANALYZEs, on the target, the tables that extended statistics are on and the partitioned tables that have
     * statistics on the source; returns how many were analyzed.
     *
     * @param source a session on the source database (the migration's snapshot holder)
     */
    public static int gather(Connection source, Connection target) throws SQLException {
        Set<String> tables = new LinkedHashSet<>(names(target,
                "SELECT n.nspname, c.relname FROM pg_catalog.pg_statistic_ext x"
                        + " JOIN pg_catalog.pg_class c ON c.oid = x.stxrelid"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2"));
        // pg_stats shows the rows of tables the user may read, by name; relkind 'p' exists from 10 (none before).
        tables.addAll(names(source, "SELECT DISTINCT n.nspname, c.relname FROM pg_catalog.pg_stats s"
                + " JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname"
                + " JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename"
                + " WHERE c.relkind = 'p' AND s.inherited ORDER BY 1, 2"));
        int analyzed = 0;
        for (String table : tables) {
            if (exists(target, table)) {
                try (Statement s = target.createStatement()) {
                    s.execute("ANALYZE " + table);
                }
                analyzed++;
            }
        }
        return analyzed;
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
