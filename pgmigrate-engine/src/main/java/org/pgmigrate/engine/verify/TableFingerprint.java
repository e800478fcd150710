package org.pgmigrate.engine.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.pgmigrate.engine.catalog.Column;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * A table's row count and content hash, computed by the server so that no row crosses the network.
 *
 * <p>Each row becomes the text of its copied columns (NULL-safe, quoted, separated), floats as their exact binary
 * image (text output of floats differs between PostgreSQL 11 and 12+), then an md5. Rows are ordered by the primary
 * key (compared as text in the C collation, so that both servers order alike) or, with no key, by their own hash;
 * the ordered hashes are hashed again. Tables too large for one ordered aggregate ({@link #ORDERED_LIMIT_ROWS}) fall
 * back to an order-independent sum of row hashes, which still detects any changed, missing or extra row.
 *
 * @param method "ordered" or "sum"
 */
public record TableFingerprint(long rows, String hash, String method) {

    /** string_agg keeps 33 bytes a row in memory, below the 1 GB limit of a single value. */
    static final long ORDERED_LIMIT_ROWS = 20_000_000;

    /** Session settings that make the text of values identical on both servers. */
    static final String PIN_SETTINGS = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';"
            + " SET extra_float_digits = 3; SET bytea_output = 'hex'";

    /**
     * @param samplePercent 100 for every row; less to hash only the rows whose key (or, without a key, whose content)
     *                      hashes into that share: the same rows on both servers, so a sample still compares like
     *                      with like
     */
    static TableFingerprint compute(Connection c, Table table, boolean ordered, int samplePercent) throws SQLException {
        String rowHash = "md5(" + rowText(table.columns()) + ")";
        List<String> conditions = new java.util.ArrayList<>();
        if (table.extensionFilter() != null) {
            conditions.add(stripWhere(table.extensionFilter()));
        }
        if (samplePercent < 100) {
            String sampled = table.orderKey().isEmpty() ? rowText(table.columns()) : keyText(table);
            conditions.add("abs(hashtext(" + sampled + ") % 100) < " + samplePercent);
        }
        String from = " FROM ONLY " + table.qualifiedName() + " AS t"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions));
        String sql;
        if (ordered) {
            String order = table.orderKey().isEmpty() ? rowHash : orderBy(table);
            sql = "SELECT count(*), coalesce(md5(string_agg(" + rowHash + ", '' ORDER BY " + order + ")), '')" + from;
        } else {
            // 60 bits of each row hash as a bigint, summed as numeric (no overflow).
            sql = "SELECT count(*), coalesce(sum(('x' || substr(" + rowHash + ", 1, 15))::bit(60)::bigint)::text, '')" + from;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return new TableFingerprint(rs.getLong(1), rs.getString(2), ordered ? "ordered" : "sum");
        }
    }

    /** The row as text: each column NULL-safe and quoted, floats as hex of their binary form. */
    static String rowText(List<Column> columns) {
        if (columns.isEmpty()) {
            return "''";
        }
        StringBuilder s = new StringBuilder("concat_ws('|'");
        for (Column c : columns) {
            String col = "t." + Identifiers.quote(c.name());
            String text = switch ((int) c.typeOid()) {
                case 701 -> "encode(float8send(" + col + "), 'hex')";
                case 700 -> "encode(float4send(" + col + "), 'hex')";
                case 1022 -> floatArray(col, "float8send");
                case 1021 -> floatArray(col, "float4send");
                default -> col + "::text";
            };
            s.append(", quote_nullable(").append(text).append(')');
        }
        return s.append(')').toString();
    }

    private static String keyText(Table table) {
        StringBuilder s = new StringBuilder("concat_ws('|'");
        for (String k : table.orderKey()) {
            s.append(", t.").append(Identifiers.quote(k)).append("::text");
        }
        return s.append(')').toString();
    }

    /** A float array as its dimensions and each element's binary image, so PostgreSQL 11's float text cannot differ. */
    private static String floatArray(String col, String send) {
        return "CASE WHEN " + col + " IS NULL THEN NULL ELSE coalesce(array_dims(" + col + "), '[]') || ':' || coalesce("
                + "(SELECT string_agg(coalesce(encode(" + send + "(e), 'hex'), 'N'), ',' ORDER BY o)"
                + " FROM unnest(" + col + ") WITH ORDINALITY AS u(e, o)), '') END";
    }

    /**
     * ORDER BY the key. Built-in types that are not collatable order the same everywhere (and use the index);
     * strings and user types are ordered by their text in the C collation, which does not depend on the servers'
     * locale libraries.
     */
    private static String orderBy(Table table) {
        StringBuilder s = new StringBuilder();
        for (String k : table.orderKey()) {
            if (!s.isEmpty()) {
                s.append(", ");
            }
            Column column = table.columns().stream().filter(c -> c.name().equals(k)).findFirst().orElse(null);
            boolean natural = column != null && column.builtinType() && !COLLATABLE.contains(column.typeOid());
            s.append("t.").append(Identifiers.quote(k)).append(natural ? "" : "::text COLLATE \"C\"");
        }
        return s.toString();
    }

    /** name, bpchar, varchar, text. */
    private static final java.util.Set<Long> COLLATABLE = java.util.Set.of(19L, 25L, 1042L, 1043L);

    private static String stripWhere(String condition) {
        String c = condition.strip();
        return c.regionMatches(true, 0, "WHERE ", 0, 6) ? c.substring(6) : c;
    }
}
