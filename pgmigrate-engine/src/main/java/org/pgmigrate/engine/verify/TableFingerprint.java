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
 * <p>The hash is a 128-bit multiset hash: two sums of 64-bit hashes (two seeds) of every row's text. Rows include
 * their key, and keys are unique, so this equals a comparison of the rows ordered by key, without the sort: any
 * changed, missing, extra or duplicated row changes it. Rows are read once, in one pass (about the cost of COPY TO).
 * A row's text is its record text; a table with floats instead gets each column's text with floats as their exact
 * binary image, because PostgreSQL 11 prints floats differently from 12 and later.
 *
 * @param hash   "sum0/sum42" of the row hashes, comparable across servers and versions
 * @param method "multiset-128"
 */
public record TableFingerprint(long rows, String hash, String method) {

    /** Session settings that make the text of values identical on both servers. */
    static final String PIN_SETTINGS = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';"
            + " SET extra_float_digits = 3; SET bytea_output = 'hex'";

    /**
     * @param samplePercent 100 for every row; less to hash only the rows whose key (or, without a key, whose content)
     *                      hashes into that share: the same rows on both servers, so a sample still compares like
     *                      with like
     */
    static TableFingerprint compute(Connection c, Table table, int samplePercent) throws SQLException {
        List<String> conditions = new java.util.ArrayList<>();
        if (table.extensionFilter() != null) {
            conditions.add(stripWhere(table.extensionFilter()));
        }
        if (samplePercent < 100) {
            String sampled = table.orderKey().isEmpty() ? rowText(table.columns()) : keyText(table);
            conditions.add("abs(hashtext(" + sampled + ") % 100) < " + samplePercent);
        }
        // OFFSET 0 keeps the row text a computed column of the subquery: built once per row, hashed twice.
        String sql = "SELECT count(*), coalesce(sum(hashtextextended(r, 0)), 0) || '/' || coalesce(sum(hashtextextended(r, 42)), 0)"
                + " FROM (SELECT " + rowText(table.columns()) + " AS r FROM ONLY " + table.qualifiedName() + " AS t"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + " OFFSET 0) rows";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return new TableFingerprint(rs.getLong(1), rs.getString(2), "multiset-128");
        }
    }

    /** The row as text: its record text, or with floats, each column NULL-safe and quoted, floats in hex. */
    static String rowText(List<Column> columns) {
        if (columns.isEmpty()) {
            return "''";
        }
        if (columns.stream().noneMatch(TableFingerprint::hasFloats)) {
            StringBuilder s = new StringBuilder("ROW(");
            for (int i = 0; i < columns.size(); i++) {
                s.append(i == 0 ? "" : ", ").append("t.").append(Identifiers.quote(columns.get(i).name()));
            }
            return s.append(")::text").toString();
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

    private static boolean hasFloats(Column c) {
        long t = c.typeOid();
        return t == 700 || t == 701 || t == 1021 || t == 1022;
    }

    private static String stripWhere(String condition) {
        String c = condition.strip();
        return c.regionMatches(true, 0, "WHERE ", 0, 6) ? c.substring(6) : c;
    }
}
