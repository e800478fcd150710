package org.pgmigrate.engine.copy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.engine.snapshot.DatabaseSessions;
import org.pgmigrate.engine.verify.BinaryCopyDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One copy worker: its sessions, and each part it takes copied exactly once, with retries.
 *
 * <p>A part whose attempt fails with a transient error ({@link PartRetry}) is copied again on new sessions (the new
 * source session imports the same snapshot, which the snapshot holder keeps alive), after a pause, up to
 * {@link PartRetry#ATTEMPTS} in all. Before the next attempt, the failed attempt's target backend is ended and
 * waited for: until it is gone, its transaction could still commit (a dead link can leave it running), and a whole
 * table's TRUNCATE would wait for its lock. Then exactly once holds as on resume: a whole table is truncated again
 * in the transaction that reloads it; a range part's recorded transaction id tells ({@code txid_status}) whether the
 * failed attempt committed, in which case it is not copied again.
 *
 * <p>Owned by one thread.
 */
final class CopyWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CopyWorker.class);
    /** How long a terminated backend of a failed attempt gets to go away. */
    private static final Duration STALE_EXIT_WAIT = Duration.ofSeconds(30);

    /** Rows and bytes copied, and the digest of the attempt that landed (null when not digesting). */
    record Copied(long rows, long bytes, BinaryCopyDigest digest) {
    }

    /** Hears about each retry, with the message to show. */
    interface Retries {
        void retrying(String message);
    }

    private final DatabaseSessions sessions;
    private final String encoding;
    private final CheckpointStore checkpoints;
    private final Cancellation stop;
    private final CopyStallWatch watch;
    private final Retries retries;
    private CopySessions current;
    /** The write buffer of every part this worker copies (one worker, one part at a time). */
    private byte[] writeBuffer;
    /** Target backends of failed attempts, ended before the next attempt. */
    private final List<CopySessions.Backend> stale = new ArrayList<>();

    CopyWorker(DatabaseSessions sessions, String encoding, CheckpointStore checkpoints, Cancellation stop,
               CopyStallWatch watch, Retries retries) {
        this.sessions = sessions;
        this.encoding = encoding;
        this.checkpoints = checkpoints;
        this.stop = stop;
        this.watch = watch;
        this.retries = retries;
    }

    /**
     * Copies {@code part}, retrying transient failures. {@code progress} hears rows and bytes once only, however
     * many attempts read them, and in all exactly the rows that landed. {@code provenEmpty}: the whole table was
     * found empty on the target when the copy was planned ({@link EmptyTargetTables}). Throws {@link AttemptsFailed}
     * with the last failure when the part cannot be copied.
     */
    Copied copy(TablePart part, CopyFormat format, String partKey, boolean provenEmpty, PartCopier.Progress progress,
                Supplier<BinaryCopyDigest> newDigest) {
        HighWater reported = new HighWater(progress);
        long streamedBefore = -1;
        BinaryCopyDigest digestBefore = null;
        for (int attempt = 1; ; attempt++) {
            BinaryCopyDigest digest = newDigest.get();
            try {
                CopySessions s = sessions();
                if (attempt > 1) {
                    endStaleBackends(s.target());
                    Optional<PartRecord> committed = committedEarlier(part, partKey, s.target());
                    if (committed.isPresent()) {
                        long rows = committed.get().countsKnown() ? committed.get().rows() : streamedBefore;
                        if (rows < 0) {
                            throw new IllegalStateException("the failed attempt of " + part.describe()
                                    + " committed, but its row count is unknown");
                        }
                        log.info("The failed attempt of {} had committed; it is not copied again", part.describe());
                        reported.settle(rows, Math.max(0, committed.get().bytes()));
                        return new Copied(rows, Math.max(0, committed.get().bytes()), digestBefore);
                    }
                }
                Runnable unwatch = watch.watch(s);
                try {
                    // Only the first attempt may trust the plan's proof: a failed one may have committed after all.
                    if (writeBuffer == null) {
                        writeBuffer = new byte[PartCopier.WRITE_BUFFER_BYTES];
                    }
                    PartCopier.Streamed streamed = new PartCopier(s, checkpoints, writeBuffer).copy(part, format, partKey,
                            provenEmpty && attempt == 1, reported.attempt(), digest);
                    return new Copied(streamed.rows(), streamed.bytes(), digest);
                } finally {
                    unwatch.run();
                }
            } catch (SQLException | RuntimeException e) {
                String cutBecause = current == null ? null : current.abandonedBecause();
                if (stop.isCanceled() || attempt >= PartRetry.ATTEMPTS || !PartRetry.isTransient(e)) {
                    dropSessions();
                    throw new AttemptsFailed(e, attempt, describe(e, cutBecause));
                }
                streamedBefore = e instanceof CopyFailure f ? f.rowsStreamed() : -1;
                digestBefore = digest;
                dropSessions();
                Duration pause = PartRetry.pauseBefore(attempt + 1);
                String message = "COPY of " + part.describe() + " failed (attempt " + attempt + " of "
                        + PartRetry.ATTEMPTS + "): " + describe(e, cutBecause) + ". Retrying in " + pause.toSeconds()
                        + " s on new sessions.";
                log.info("{}", message); // a notice: the listener presents it, once
                retries.retrying(message);
                pauseOrStop(pause);
            }
        }
    }

    /**
     * The failure of a part after its last attempt; unwrapped by {@link DataCopy} into the error it reports.
     */
    static final class AttemptsFailed extends RuntimeException {
        private final Exception failure;
        private final int attempts;
        private final String description;

        AttemptsFailed(Exception failure, int attempts, String description) {
            super(description, failure);
            this.failure = failure;
            this.attempts = attempts;
            this.description = description;
        }

        Exception failure() {
            return failure;
        }

        int attempts() {
            return attempts;
        }

        /** The failure as a reader needs it: which server, what happened. */
        String description() {
            return description;
        }
    }

    private CopySessions sessions() throws SQLException {
        if (current == null) {
            current = CopySessions.open(sessions, encoding, stop);
        }
        return current;
    }

    private void dropSessions() {
        if (current != null) {
            stale.add(current.targetBackend());
            current.abandon(null);
            current = null;
        }
    }

    /**
     * Ends the target backends of failed attempts and waits until they are gone, so that none of their transactions
     * can still commit, and none holds a lock the next attempt needs.
     */
    private void endStaleBackends(Connection target) throws SQLException {
        target.setAutoCommit(true);
        String which = " FROM pg_catalog.pg_stat_activity WHERE pid = ? AND backend_start::text = ?";
        for (CopySessions.Backend b : stale) {
            try (PreparedStatement ps = target.prepareStatement("SELECT pg_catalog.pg_terminate_backend(pid)" + which)) {
                ps.setInt(1, b.pid());
                ps.setString(2, b.startedAt());
                ps.executeQuery().close();
            }
            long deadline = System.nanoTime() + STALE_EXIT_WAIT.toNanos();
            try (PreparedStatement ps = target.prepareStatement("SELECT 1" + which)) {
                ps.setInt(1, b.pid());
                ps.setString(2, b.startedAt());
                while (true) {
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            break;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new EngineException(EngineError.COPY_FAILED, "The target session of a failed copy attempt"
                                + " (pid " + b.pid() + ") was still there " + STALE_EXIT_WAIT.toSeconds() + " s after"
                                + " it was terminated, so whether its transaction commits is unknown. End it (SELECT"
                                + " pg_terminate_backend(" + b.pid() + ") on the target) and resume the migration.");
                    }
                    pauseOrStop(Duration.ofMillis(100));
                }
            }
        }
        stale.clear();
    }

    /**
     * The pending record of a range part whose failed attempt committed after all (the failure came after the COMMIT
     * was sent, and the answer was lost); empty when it did not. A whole table is never "committed earlier": it is
     * reloaded, truncated in the same transaction.
     */
    private Optional<PartRecord> committedEarlier(TablePart part, String partKey, Connection target)
            throws SQLException {
        if (part.truncateAndFreeze()) {
            return Optional.empty();
        }
        Optional<PartRecord> record = checkpoints.get(partKey).flatMap(PartRecord::parse).filter(r -> !r.done());
        if (record.isEmpty()) {
            return Optional.empty();
        }
        long xid = record.get().xid();
        Optional<String> status = transactionStatus(target, xid);
        if (status.isEmpty() || status.get().equals("in progress")) {
            throw new EngineException(EngineError.COPY_FAILED, "Cannot tell whether the failed attempt of "
                    + part.describe() + " committed on the target (transaction " + xid + " is "
                    + status.orElse("unknown to txid_status") + "). Resume the migration once it has ended.");
        }
        return status.get().equals("committed") ? record : Optional.empty();
    }

    /** {@code txid_status} of a target transaction: committed, aborted, in progress; empty when too old to know. */
    static Optional<String> transactionStatus(Connection target, long xid) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT pg_catalog.txid_status(?)")) {
            ps.setLong(1, xid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.ofNullable(rs.getString(1));
            }
        }
    }

    private void pauseOrStop(Duration pause) {
        long deadline = System.nanoTime() + pause.toNanos();
        while (System.nanoTime() < deadline) {
            if (stop.isCanceled()) {
                throw new EngineException(EngineError.CANCELED, "The copy was stopped while waiting to retry.");
            }
            try {
                Thread.sleep(Math.min(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException(EngineError.CANCELED, "Interrupted while waiting to retry a copy.", e);
            }
        }
    }

    /** A failure as a reader needs it: which server, what happened. */
    private String describe(Throwable e, String cutBecause) {
        String message = firstLine(e.getMessage());
        if (e instanceof CopyFailure f) {
            String server = f.side() == Side.SOURCE ? "the source server " + sessions.source().address()
                    : "the target server " + sessions.target().address();
            message = PartRetry.isTransient(e) ? "lost the connection to " + server + " (" + message + ")"
                    : message + " (on " + server + ")";
        }
        return cutBecause == null ? message : message + "; the connections were dropped because " + cutBecause;
    }

    private static String firstLine(String m) {
        String s = String.valueOf(m);
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    /** Passes on only rows and bytes beyond what earlier attempts of the part already reported. */
    private static final class HighWater {
        private final PartCopier.Progress out;
        private long rows;
        private long bytes;

        HighWater(PartCopier.Progress out) {
            this.out = out;
        }

        /** Reports what is missing up to {@code totalRows} and {@code totalBytes}: a commit that was not seen. */
        void settle(long totalRows, long totalBytes) {
            long newRows = Math.max(0, totalRows - rows);
            long newBytes = Math.max(0, totalBytes - bytes);
            if (newRows > 0 || newBytes > 0) {
                rows += newRows;
                bytes += newBytes;
                out.copied(newRows, newBytes);
            }
        }

        PartCopier.Progress attempt() {
            long[] seen = {0, 0};
            return (r, b) -> {
                seen[0] += r;
                seen[1] += b;
                long newRows = Math.max(0, seen[0] - rows);
                long newBytes = Math.max(0, seen[1] - bytes);
                if (newRows > 0 || newBytes > 0) {
                    rows += newRows;
                    bytes += newBytes;
                    out.copied(newRows, newBytes);
                }
            };
        }
    }
}
