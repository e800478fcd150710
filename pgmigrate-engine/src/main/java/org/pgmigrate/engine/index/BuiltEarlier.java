package org.pgmigrate.engine.index;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pgmigrate.engine.catalog.Table;

/**
 * The indexes and constraints already on the target when the index phase starts: what an earlier, interrupted run
 * built. Read in two queries, where asking per index and per constraint cost two round trips a table (some 6,000 on
 * 2,041 small tables, on the index sessions' critical path).
 *
 * <p>A name missing here can only appear later if something other than this phase creates it; the build then fails,
 * and {@link IndexBuilds} asks the target about that one name, as it used to before every build.
 *
 * <p>Immutable once read; shared by the index workers.
 */
final class BuiltEarlier {

    private final Set<List<String>> indexes;
    private final Set<List<String>> constraints;

    private BuiltEarlier(Set<List<String>> indexes, Set<List<String>> constraints) {
        this.indexes = indexes;
        this.constraints = constraints;
    }

    static BuiltEarlier read(Connection target) throws SQLException {
        String userSchemas = " n.nspname NOT IN ('pg_catalog', 'information_schema')"
                + " AND n.nspname NOT LIKE 'pg\\_toast%'";
        return new BuiltEarlier(
                names(target, "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                        + " ON n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I') AND" + userSchemas),
                names(target, "SELECT n.nspname, c.relname, k.conname FROM pg_catalog.pg_constraint k"
                        + " JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE" + userSchemas));
    }

    boolean index(String schema, String name) {
        return indexes.contains(List.of(schema, name));
    }

    boolean constraint(Table table, String name) {
        return constraints.contains(List.of(table.schema(), table.name(), name));
    }

    private static Set<List<String>> names(Connection target, String sql) throws SQLException {
        Set<List<String>> names = new HashSet<>();
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                String[] row = new String[columns];
                for (int i = 0; i < columns; i++) {
                    row[i] = rs.getString(i + 1);
                }
                names.add(List.of(row));
            }
        }
        return names;
    }
}
