package org.pgmigrate.engine.index;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * Analyzes again the tables that extended statistics ({@code CREATE STATISTICS}) are defined on, once post-data has
 * created those objects.
 *
 * <p>Why: ANALYZE fills an extended statistics object only if the object exists when it runs. The index phase
 * analyzes each table as soon as it is loaded, and pg_dump puts {@code CREATE STATISTICS} in post-data, which comes
 * after; that ANALYZE also resets the table's change counter, so autovacuum would never analyze the table again, and
 * the planner would go without the statistics the source's owner created for it (after a plain pg_restore, with no
 * ANALYZE, autovacuum's first visit fills them). Only these tables are analyzed twice; objects come back with their
 * tables in a filtered migration, so every one on the target belongs to a table the migration loaded.
 */
public final class ExtendedStatistics {

    private ExtendedStatistics() {
    }

    /** ANALYZEs every table of the target database that has an extended statistics object; returns how many. */
    public static int analyzeTheirTables(Connection target) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT DISTINCT n.nspname, c.relname FROM pg_catalog.pg_statistic_ext x"
                        + " JOIN pg_catalog.pg_class c ON c.oid = x.stxrelid"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ORDER BY 1, 2")) {
            while (rs.next()) {
                tables.add(Identifiers.qualified(rs.getString(1), rs.getString(2)));
            }
        }
        for (String table : tables) {
            try (Statement s = target.createStatement()) {
                s.execute("ANALYZE " + table);
            }
        }
        return tables.size();
    }
}
