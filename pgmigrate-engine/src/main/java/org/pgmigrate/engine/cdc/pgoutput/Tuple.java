package org.pgmigrate.engine.cdc.pgoutput;

/**
 * One row image of a pgoutput TupleData: per column, its kind and, for {@link #TEXT} values, the server's text form
 * (the type's output function, so numeric, float and bigint values arrive exact). Immutable by contract: the arrays
 * are not copied, callers do not modify them.
 */
public record Tuple(byte[] kinds, String[] values) {

    /** SQL NULL. */
    public static final byte NULL = 'n';
    /** An unchanged TOASTed value the server did not send: leave the column alone, never write a placeholder. */
    public static final byte UNCHANGED_TOAST = 'u';
    /** A value in text form. */
    public static final byte TEXT = 't';

    public int size() {
        return kinds.length;
    }

    public byte kind(int column) {
        return kinds[column];
    }

    public boolean isNull(int column) {
        return kinds[column] == NULL;
    }

    public boolean isUnchangedToast(int column) {
        return kinds[column] == UNCHANGED_TOAST;
    }

    /** The text value, or null for NULL and unchanged TOAST. */
    public String value(int column) {
        return values[column];
    }

    /** Bytes of text this row holds, roughly; used to bound batches. */
    public long approximateBytes() {
        long n = 16L * kinds.length;
        for (String v : values) {
            if (v != null) {
                n += v.length();
            }
        }
        return n;
    }
}
