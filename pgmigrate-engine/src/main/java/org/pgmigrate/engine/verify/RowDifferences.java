package org.pgmigrate.engine.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * Names the rows that differ in a table whose hash differs: both sides stream each row's key and a hash of the row,
 * ordered by key, and a merge walks them side by side, so memory stays bounded whatever the table's size, and the
 * walk stops at the {@code limit}-th difference. Needs a key (primary key, or NOT NULL unique columns).
 *
 * <p>Both servers order by the key's bytes (its record text in the database's encoding, as hex under the C
 * collation): the same order on both, whatever their collations, and the one this merge compares in. That order is
 * a sort of the whole table on each server, which is why this runs only on request and only for tables that differ.
 */
final class RowDifferences {

    private static final int FETCH = 5000;

    private RowDifferences() {
    }

    /**
     * Up to {@code limit} rows, e.g. {@code order_id=42 (missing on the target)}. Both connections must be in a
     * transaction (auto-commit off), the source in the verification's snapshot.
     */
    static List<String> find(Connection source, Connection target, Table table, int limit) throws SQLException {
        List<String> found = new ArrayList<>();
        String sql = query(table);
        try (Statement s = source.createStatement(); Statement t = target.createStatement()) {
            s.setFetchSize(FETCH);
            t.setFetchSize(FETCH);
            try (ResultSet left = s.executeQuery(sql); ResultSet right = t.executeQuery(sql)) {
                boolean hasLeft = left.next();
                boolean hasRight = right.next();
                while (found.size() < limit && (hasLeft || hasRight)) {
                    int order = !hasLeft ? 1 : !hasRight ? -1 : left.getString(1).compareTo(right.getString(1));
                    if (order < 0) {
                        found.add(key(table, left) + " (missing on the target)");
                        hasLeft = left.next();
                    } else if (order > 0) {
                        found.add(key(table, right) + " (only on the target)");
                        hasRight = right.next();
                    } else {
                        if (left.getLong(2) != right.getLong(2)) {
                            found.add(key(table, left) + " (differs)");
                        }
                        hasLeft = left.next();
                        hasRight = right.next();
                    }
                }
            }
        }
        return found;
    }

    private static String query(Table table) {
        StringBuilder key = new StringBuilder("ROW(");
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < table.orderKey().size(); i++) {
            String column = "t." + Identifiers.quote(table.orderKey().get(i));
            key.append(i == 0 ? "" : ", ").append(column);
            values.append(", ").append(column).append("::text");
        }
        key.append(")::text");
        String ordering = "pg_catalog.encode(pg_catalog.convert_to(" + key + ", pg_catalog.getdatabaseencoding()), 'hex')"
                + " COLLATE \"C\"";
        return "SELECT " + ordering + ", pg_catalog.hashtextextended(" + TableFingerprint.rowImage(table.columns())
                + ", 0)" + values + " FROM ONLY " + table.qualifiedName() + " AS t"
                + (table.extensionFilter() == null ? "" : " WHERE " + TableFingerprint.stripWhere(table.extensionFilter()))
                + " ORDER BY 1";
    }

    /** {@code order_id=42, line=3}: the key as people read it. */
    private static String key(Table table, ResultSet rs) throws SQLException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < table.orderKey().size(); i++) {
            String value = rs.getString(3 + i);
            value = value == null ? "NULL" : value.length() <= 100 ? value : value.substring(0, 100) + "...";
            s.append(i == 0 ? "" : ", ").append(Identifiers.forMessage(table.orderKey().get(i))).append('=').append(value);
        }
        return s.toString();
    }
}
