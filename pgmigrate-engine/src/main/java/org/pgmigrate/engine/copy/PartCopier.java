package org.pgmigrate.engine.copy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.engine.verify.BinaryCopyDigest;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

/**
 * Streams one {@link TablePart} from {@code COPY ... TO STDOUT} on the source into {@code COPY ... FROM STDIN} on
 * the target, with no file in between and one reusable buffer: memory does not grow with the table.
 *
 * <p>Exactly once: a whole table is truncated in the same target transaction that loads it, so a redo after a
 * crash replaces it; or, small and proven empty by the plan ({@link EmptyTargetTables}), it is loaded by a plain
 * COPY on its first attempt, before which nothing can have loaded it. A range part records the target transaction
 * id in the checkpoints before it commits; a resumed run asks the target ({@code txid_status}) whether that
 * transaction committed, and skips the part if it did.
 *
 * <p>Not thread-safe: one copy worker owns an instance and its two connections.
 */
final class PartCopier {

    /** Rows are coalesced into writes of this size: one CopyData message per row would cost a syscall per row. */
    static final int WRITE_BUFFER_BYTES = 1 << 20;
    private static final long PROGRESS_EVERY_BYTES = 4L << 20;

    interface Progress {
        void copied(long rows, long bytes);
    }

    /** What one part carried: its rows, as the server counted them, and the bytes of its COPY data. */
    record Streamed(long rows, long bytes) {
    }

    private final CopySessions sessions;
    private final Connection source;
    private final Connection target;
    private final CheckpointStore checkpoints;
    private final byte[] buffer;

    /**
     * @param buffer {@link #WRITE_BUFFER_BYTES} the caller keeps for all its parts: allocated per part, 2,041 small
     *               tables cost 2 GB of zeroed arrays, each a humongous object to G1
     */
    PartCopier(CopySessions sessions, CheckpointStore checkpoints, byte[] buffer) {
        if (buffer.length != WRITE_BUFFER_BYTES) {
            throw new IllegalArgumentException("a write buffer of " + WRITE_BUFFER_BYTES + " bytes is expected");
        }
        this.sessions = sessions;
        this.source = sessions.source();
        this.target = sessions.target();
        this.checkpoints = checkpoints;
        this.buffer = buffer;
    }

    /**
     * Copies the part and commits it on the target; returns the rows and bytes the source sent. {@code progress}
     * hears exactly the rows that landed, in increments that add up to the returned count. A failure is a
     * {@link CopyFailure} naming the side it happened on; one after the whole stream was read (at the commit, whose
     * outcome is then unknown) carries the rows that were sent.
     *
     * @param intoEmpty the whole table is proven empty ({@link EmptyTargetTables}): a plain COPY, no TRUNCATE
     * @param digest takes every CopyData message read from the source (binary format only), or null
     */
    Streamed copy(TablePart part, CopyFormat format, String partKey, boolean intoEmpty, Progress progress,
                  BinaryCopyDigest digest) throws SQLException {
        Table table = part.table();
        boolean replace = part.truncateAndFreeze() && !intoEmpty;
        long rows = -1;
        try {
            target.setAutoCommit(false);
            if (replace) {
                try (Statement s = target.createStatement()) {
                    s.execute("TRUNCATE ONLY " + table.qualifiedName());
                }
            }
            Streamed streamed = table.columns().isEmpty() ? copyRowCountOnly(part, progress)
                    : stream(part, format, replace, progress, digest);
            rows = streamed.rows();
            if (!part.truncateAndFreeze()) {
                checkpoints.put(partKey, PartRecord.pending(currentTransactionId(), streamed.rows(), streamed.bytes()));
            }
            requestStatsFlushAtCommit();
            target.commit();
            return streamed;
        } catch (SQLException e) {
            rollbackQuietly(target, e);
            throw CopyFailure.on(Side.TARGET, e, rows);
        } catch (RuntimeException e) {
            rollbackQuietly(target, e);
            throw e;
        }
    }

    private Streamed stream(TablePart part, CopyFormat format, boolean freeze, Progress progress,
                            BinaryCopyDigest digest) throws SQLException {
        Table table = part.table();
        String condition = part.condition();
        String out = condition == null
                ? "COPY " + table.qualifiedName() + " (" + table.columnList() + ") TO STDOUT WITH (" + format.copyOption() + ")"
                : "COPY (SELECT " + table.columnList() + " FROM ONLY " + table.qualifiedName() + " WHERE " + condition
                        + ") TO STDOUT WITH (" + format.copyOption() + ")";
        String in = "COPY " + table.qualifiedName() + " (" + table.columnList() + ") FROM STDIN WITH ("
                + format.copyOption() + (freeze ? ", FREEZE" : "") + ")";
        CopyManager sourceCopy = source.unwrap(PGConnection.class).getCopyAPI();
        CopyManager targetCopy = target.unwrap(PGConnection.class).getCopyAPI();
        CopyOut copyOut;
        try {
            copyOut = sourceCopy.copyOut(out);
        } catch (SQLException e) {
            throw CopyFailure.on(Side.SOURCE, e, -1);
        }
        CopyIn copyIn = null;
        long rows = 0;
        long bytes = 0;
        long reportedRows = 0;
        long reportedBytes = 0;
        // Binary COPY's header rides in front of the first row and its trailer comes in a message of its own: a
        // message is not always a row (BinaryCopyFrames). Text COPY sends exactly one message per row.
        boolean binary = format == CopyFormat.BINARY;
        boolean first = true;
        try {
            copyIn = targetCopy.copyIn(in);
            int filled = 0;
            for (byte[] row; (row = read(copyOut)) != null; first = false) {
                if (!binary || BinaryCopyFrames.rowOffset(row, first) >= 0) {
                    rows++;
                }
                bytes += row.length;
                if (digest != null) {
                    digest.accept(row);
                }
                if (row.length > buffer.length - filled) {
                    write(copyIn, buffer, filled);
                    filled = 0;
                }
                if (row.length > buffer.length) {
                    write(copyIn, row, row.length);
                } else {
                    System.arraycopy(row, 0, buffer, filled, row.length);
                    filled += row.length;
                }
                if (bytes - reportedBytes >= PROGRESS_EVERY_BYTES) {
                    progress.copied(rows - reportedRows, bytes - reportedBytes);
                    reportedRows = rows;
                    reportedBytes = bytes;
                }
            }
            if (filled > 0) {
                write(copyIn, buffer, filled);
            }
            copyIn.endCopy();
            sessions.moved();
            // The server's count is the reference; the last increment makes the reported rows add up to it.
            long exact = copyOut.getHandledRowCount() >= 0 ? copyOut.getHandledRowCount() : rows;
            progress.copied(exact - reportedRows, bytes - reportedBytes);
            return new Streamed(exact, bytes);
        } finally {
            // Never leave a connection locked in COPY: cancel whatever is still active (the target's transaction
            // then aborts, which is what a failed part needs).
            if (copyIn != null && copyIn.isActive()) {
                cancelQuietly(copyIn);
            }
            if (copyOut.isActive()) {
                cancelQuietly(copyOut);
            }
        }
    }

    private byte[] read(CopyOut copyOut) throws SQLException {
        try {
            byte[] row = copyOut.readFromCopy();
            sessions.moved();
            return row;
        } catch (SQLException e) {
            throw CopyFailure.on(Side.SOURCE, e, -1);
        }
    }

    private void write(CopyIn copyIn, byte[] bytes, int length) throws SQLException {
        copyIn.writeToCopy(bytes, 0, length);
        sessions.moved();
    }

    /** A table whose every column is generated: COPY has no column to carry, but the rows must exist. */
    private Streamed copyRowCountOnly(TablePart part, Progress progress) throws SQLException {
        String condition = part.condition();
        long rows;
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.count(*) FROM ONLY "
                + part.table().qualifiedName() + (condition == null ? "" : " WHERE " + condition))) {
            rs.next();
            rows = rs.getLong(1);
        } catch (SQLException e) {
            throw CopyFailure.on(Side.SOURCE, e, -1);
        }
        try (Statement s = target.createStatement()) {
            s.execute("INSERT INTO " + part.table().qualifiedName() + " SELECT FROM pg_catalog.generate_series(1, " + rows + ")");
        }
        progress.copied(rows, 0);
        return new Streamed(rows, 0);
    }

    /**
     * A backend sends its tables' insert counts to the shared statistics when it next goes idle, but at most once a
     * second: a part committed sooner after the last flush has its counts sent up to a second later. The index
     * worker's VACUUM, which resets the table's insert counter, can come before that, and the late counts then make
     * autovacuum vacuum the table once more, which is what the VACUUM was for. PostgreSQL 15+ can be asked to flush
     * at the next idle moment, which is this transaction's commit. (Older servers send statistics through the
     * collector, asynchronously in any case.)
     */
    private void requestStatsFlushAtCommit() throws SQLException {
        if (target.getMetaData().getDatabaseMajorVersion() >= 15) {
            try (Statement s = target.createStatement()) {
                s.execute("SELECT pg_catalog.pg_stat_force_next_flush()");
            }
        }
    }

    private long currentTransactionId() throws SQLException {
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.txid_current()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void cancelQuietly(org.postgresql.copy.CopyOperation op) {
        try {
            op.cancelCopy();
        } catch (SQLException ignored) {
            // the connection broke; the server aborts the COPY on its own
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
