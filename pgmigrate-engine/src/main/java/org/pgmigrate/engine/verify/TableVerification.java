package org.pgmigrate.engine.verify;

/** The verdict on one table: its fingerprint on both sides. */
public record TableVerification(String table, TableFingerprint source, TableFingerprint target) {

    public boolean equal() {
        return source.rows() == target.rows() && source.hash().equals(target.hash());
    }

    /** e.g. "public.orders: 1000 rows on the source, 997 on the target". */
    public String describe() {
        if (source.rows() != target.rows()) {
            return table + ": " + source.rows() + " rows on the source, " + target.rows() + " on the target";
        }
        return table + ": " + source.rows() + " rows on both sides, but their contents differ (hash " + source.hash()
                + " vs " + target.hash() + ")";
    }
}
