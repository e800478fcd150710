package org.pgmigrate.engine.verify;

import java.sql.Connection;
import java.sql.SQLException;
import org.pgmigrate.engine.catalog.Table;
import net.openhft.hashing.LongTupleHashFunction;
import org.pgmigrate.engine.copy.BinaryCopyFrames;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * A multiset hash of the rows of one binary {@code COPY ... TO STDOUT} stream, taken from its CopyData messages as
 * they pass: the rows a copy reads from the source, or the rows read back from the target.
 *
 * <p>The server sends each row in a message of its own (the stream's header rides in front of the first row, and the
 * trailer comes alone: {@link BinaryCopyFrames}), so a row's image is its message without the header. Each image is hashed to 128 bits and the
 * two halves are summed: like {@link TableFingerprint}'s server-side hash, the result does not depend on row order,
 * so parts of a table can be digested apart and {@link #add added}, and the target can be read back in any order.
 *
 * <p>Binary images are equal on both sides only between servers of the same major with the same client encoding,
 * which is when the copy uses binary. Not thread-safe: one stream feeds one instance.
 */
public final class BinaryCopyDigest {

    static final String METHOD = "copy-stream-murmur3-128";
    /** MurmurHash3 x64 128 with seed 0; its values are the method's, whichever library computes them. */
    private static final LongTupleHashFunction MURMUR3 = LongTupleHashFunction.murmur_3();

    /** The hash of the row being taken: one array for the stream, not one per row. */
    private final long[] hash = new long[2];

    private boolean headerSeen;
    private long rows;
    private long sumLow;
    private long sumHigh;

    /**
     * Takes one CopyData message of the stream, in order.
     *
     * @throws IllegalArgumentException when the first message does not start with a binary COPY header
     */
    public void accept(byte[] message) {
        int offset = BinaryCopyFrames.rowOffset(message, !headerSeen);
        headerSeen = true;
        if (offset < 0) {
            return;
        }
        MURMUR3.hashBytes(message, offset, message.length - offset, hash);
        rows++;
        sumLow += hash[0];
        sumHigh += hash[1];
    }

    /** Adds the rows another digest took (another part of the same table). */
    public void add(BinaryCopyDigest other) {
        rows += other.rows;
        sumLow += other.sumLow;
        sumHigh += other.sumHigh;
    }

    /** Rows taken so far. */
    public long rows() {
        return rows;
    }

    public TableFingerprint fingerprint() {
        return new TableFingerprint(rows, Long.toHexString(sumLow) + "/" + Long.toHexString(sumHigh), METHOD);
    }

    /**
     * Digests a table's rows by reading them with binary COPY, the way its copy read the source: the same columns,
     * and for an extension's configuration table the same filter. The session's client encoding must be the one the
     * copy used (the database's own).
     */
    static TableFingerprint read(Connection c, Table table) throws SQLException {
        String sql = table.extensionFilter() == null
                ? "COPY " + table.qualifiedName() + " (" + table.columnList() + ") TO STDOUT (FORMAT binary)"
                : "COPY (SELECT " + table.columnList() + " FROM ONLY " + table.qualifiedName() + " WHERE "
                        + TableFingerprint.stripWhere(table.extensionFilter()) + ") TO STDOUT (FORMAT binary)";
        CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        BinaryCopyDigest digest = new BinaryCopyDigest();
        try {
            for (byte[] message; (message = out.readFromCopy()) != null; ) {
                digest.accept(message);
            }
        } finally {
            if (out.isActive()) {
                cancelQuietly(out);
            }
        }
        return digest.fingerprint();
    }

    /** Leaves the connection usable after a failed read; the read's own error is the one to report. */
    private static void cancelQuietly(CopyOut out) {
        try {
            out.cancelCopy();
        } catch (SQLException ignored) {
            // the connection broke; the server ends the COPY on its own
        }
    }
}
