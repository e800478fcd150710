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
 * <p>The hash is a multiset hash: each row's image is hashed to 64 bits, h, and the table's hash is the pair of sums
 * of h and of a second hash of h (128 bits of state). Rows include their key, and keys are unique, so this equals a
 * comparison of the rows ordered by key, without the sort: any changed, missing, extra or duplicated row changes it.
 * Rows are read once, in one pass.
 *
 * <p>A row's image is its binary form ({@code record_send}) when every column is binary-portable (core types with
 * binary I/O throughout, no reg* types): about the cost of a binary COPY, and exact for floats. Otherwise (enums,
 * domains, extension types, reg* types, aclitem) it is text: the record text, or, with floats, each column's text with floats
 * as their exact binary image, because PostgreSQL 11 prints floats differently from 12 and later.
 *
 * <p>The 64-bit row hashes are {@code hashtextextended} and {@code hashint8extended}, which came with PostgreSQL 11.
 * Where the source is older, both servers hash each row with md5 instead and sum its two halves: slower, as strong.
 *
 * @param hash   "sum0/sum42" (or the sums of the md5 halves) of the row hashes, comparable across servers and versions
 * @param method "multiset-128", or "multiset-md5-128" for a source older than 11
 */
public record TableFingerprint(long rows, String hash, String method) {

    /**
     * Session settings that make the text of values identical on both servers; the client encoding is the
     * database's own, so that binary images of text are its bytes as stored (no conversion that could fail).
     */
    static final String PIN_SETTINGS = "SET TimeZone = 'UTC';"
            + " SELECT pg_catalog.set_config('client_encoding', pg_catalog.current_setting('server_encoding'), false)";

    /**
     * @param samplePercent 100 for every row; less to hash only the rows whose key (or, without a key, whose content)
     *                      hashes into that share: the same rows on both servers, so a sample still compares like
     *                      with like
     * @param md5Rows       hash rows with md5, which every version has: for a source older than 11, on both servers
     */
    static TableFingerprint compute(Connection c, Table table, int samplePercent, boolean md5Rows) throws SQLException {
        List<String> conditions = new java.util.ArrayList<>();
        if (table.extensionFilter() != null) {
            conditions.add(stripWhere(table.extensionFilter()));
        }
        if (samplePercent < 100) {
            String sampled = table.orderKey().isEmpty() ? rowText(table.columns()) : keyText(table);
            conditions.add("abs(hashtext(" + sampled + ") % 100) < " + samplePercent);
        }
        String rows = " FROM ONLY " + table.qualifiedName() + " AS t"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + " OFFSET 0) rows";
        // OFFSET 0 keeps h (or m) a computed column of the subquery: one hash per row, summed twice.
        String sql = md5Rows
                ? "SELECT count(*), coalesce(sum(('x' || substr(m, 1, 16))::bit(64)::bigint), 0) || '/'"
                        + " || coalesce(sum(('x' || substr(m, 17, 16))::bit(64)::bigint), 0)"
                        + " FROM (SELECT md5(" + rowImage(table.columns()) + ") AS m" + rows
                : "SELECT count(*), coalesce(sum(h), 0) || '/' || coalesce(sum(hashint8extended(h, 42)), 0)"
                        + " FROM (SELECT hashtextextended(" + rowImage(table.columns()) + ", 0) AS h" + rows;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return new TableFingerprint(rs.getLong(1), rs.getString(2), md5Rows ? "multiset-md5-128" : "multiset-128");
        }
    }

    /**
     * The row's image as text to hash: its binary form in base64 where that is comparable across clusters (every
     * column {@linkplain Column#binaryPortable binary-portable}: record_send of an aclitem fails, and a regclass's
     * binary form is a cluster's OID), else text.
     */
    static String rowImage(List<Column> columns) {
        if (!columns.isEmpty() && columns.stream().allMatch(Column::binaryPortable)) {
            StringBuilder s = new StringBuilder("encode(record_send(ROW(");
            for (int i = 0; i < columns.size(); i++) {
                s.append(i == 0 ? "" : ", ").append("t.").append(Identifiers.quote(columns.get(i).name()));
            }
            return s.append(")), 'base64')").toString();
        }
        return rowText(columns);
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

    static String stripWhere(String condition) {
        String c = condition.strip();
        return c.regionMatches(true, 0, "WHERE ", 0, 6) ? c.substring(6) : c;
    }
}
