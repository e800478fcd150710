package org.pgmigrate.engine.verify;

import java.util.List;

/**
 * The verdict on one table: its fingerprint on both sides, and when asked for and the table differs, the keys of
 * the first rows that differ ({@code order_id=42 (missing on the target)}).
 */
public record TableVerification(String table, TableFingerprint source, TableFingerprint target,
                                List<String> differingRows) {

    public TableVerification {
        differingRows = differingRows == null ? List.of() : List.copyOf(differingRows);
    }

    public TableVerification(String table, TableFingerprint source, TableFingerprint target) {
        this(table, source, target, List.of());
    }

    public boolean equal() {
        return source.rows() == target.rows() && source.hash().equals(target.hash());
    }

    TableVerification withDifferingRows(List<String> rows) {
        return new TableVerification(table, source, target, rows);
    }

    /**
     * e.g. "shop.orders: 1000 rows on the source, 997 on the target", or "... 1000 rows on both sides, but their
     * contents differ", with the differing rows when they are known. Hashes mean nothing to a reader and stay out.
     */
    public String describe() {
        String counts = source.rows() != target.rows()
                ? table + ": " + source.rows() + " rows on the source, " + target.rows() + " on the target"
                : table + ": " + source.rows() + " rows on both sides, but their contents differ";
        return differingRows.isEmpty() ? counts : counts + "; rows by key: " + String.join(", ", differingRows);
    }
}
