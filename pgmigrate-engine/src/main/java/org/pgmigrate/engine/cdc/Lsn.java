package org.pgmigrate.engine.cdc;

import java.util.regex.Pattern;

/**
 * A WAL position (pg_lsn), such as {@code 16/B374D848}. Immutable; ordered as unsigned 64-bit numbers.
 *
 * <p>Unlike pgjdbc's {@code LogSequenceNumber.valueOf}, which turns junk into {@code INVALID_LSN}, {@link #parse}
 * throws: a wrong position silently replaced by 0/0 would re-apply or skip changes.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /** 0/0: "no position", as PostgreSQL uses it. */
    public static final Lsn INVALID = new Lsn(0);

    private static final Pattern FORMAT = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    /** Parses PostgreSQL's text form {@code XXXXXXXX/XXXXXXXX}; throws {@link IllegalArgumentException} otherwise. */
    public static Lsn parse(String text) {
        if (text == null || !FORMAT.matcher(text).matches()) {
            throw new IllegalArgumentException("Invalid LSN '" + text + "': expected two hexadecimal numbers of up to 8"
                    + " digits separated by '/', such as 16/B374D848.");
        }
        int slash = text.indexOf('/');
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        return new Lsn(high << 32 | low);
    }

    public static Lsn of(long value) {
        return value == 0 ? INVALID : new Lsn(value);
    }

    public boolean isValid() {
        return value != 0;
    }

    /** Bytes from {@code earlier} to this position; 0 when {@code earlier} is not before it. */
    public long bytesAfter(Lsn earlier) {
        return compareTo(earlier) > 0 ? value - earlier.value : 0;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    public boolean isAtLeast(Lsn other) {
        return compareTo(other) >= 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
