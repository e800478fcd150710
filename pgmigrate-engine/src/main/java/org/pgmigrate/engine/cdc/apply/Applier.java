package org.pgmigrate.engine.cdc.apply;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.cdc.Reconnect;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputDecoder;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Begin;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Commit;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Delete;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Insert;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Relation;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Truncate;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Type;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Update;
import org.pgmigrate.engine.cdc.spool.Spool;
import org.pgmigrate.engine.cdc.spool.SpoolReader;
import org.pgmigrate.engine.cdc.spool.SpoolRecord;
import org.pgmigrate.engine.pg.PgConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the spooled source transactions to the target in commit order, on one connection with
 * {@code session_replication_role=replica} (target triggers and foreign keys do not fire) and
 * {@code synchronous_commit=off}. Several source transactions share one target transaction (group commit); the
 * group's last commit position is recorded with it ({@link ProgressTracker}), so a restart resumes exactly after the
 * last applied transaction: nothing lost, nothing applied twice.
 *
 * <p>{@link #run} is the applier thread's body and blocks until {@link #stop} or a failure. A lost target connection
 * is retried with backoff, resuming from the recorded position. {@link #progress} and {@link #stop} may be called from
 * any thread.
 */
public final class Applier implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    /**
     * How long an idle applier waits for the spool before it looks at {@link #stop} again: a cutover waits that long
     * (half of it on average) for the applier to end, so it is short; an idle wake-up costs a few microseconds.
     */
    private static final long IDLE_WAIT_MILLIS = 20;

    /** Callbacks from the applier thread; must be fast and must not throw. */
    public interface Listener {
        /** Every source commit up to {@code upTo} is committed on the target (durability may lag). */
        void applied(Lsn upTo);

        void failed(EngineException failure);

        /** Applying waits (the target is unreachable past the reconnect window), with why; null when it goes on. */
        default void paused(String message) {
        }
    }

    /**
     * A consistent view of what is applied. {@code applied} may pass {@code lastWriteCommit} through empty
     * transactions and keepalives, which write nothing on the target: once {@code lastWriteCommit} is durable,
     * so is {@code applied}. {@code openGroupFirstCommitMicros} is the source commit time of the oldest transaction
     * applied but not yet committed on the target, or 0.
     */
    public record Progress(Lsn applied, Lsn lastWriteCommit, long inserts, long updates, long deletes,
                           long truncates, long openGroupFirstCommitMicros, int peakBatchRows,
                           ProgressTracking tracking) {
        public long changes() {
            return inserts + updates + deletes + truncates;
        }
    }

    private final ApplySettings settings;
    private final PgConnector connector;
    private final Spool spool;
    private final Listener listener;
    private final RelationCatalog catalog = new RelationCatalog();
    private volatile boolean stopping;
    private volatile Progress progress;
    private volatile ProgressTracker tracker;
    private volatile int targetMajor;

    // group state, applier thread only
    private long groupInserts;
    private long groupUpdates;
    private long groupDeletes;
    private long groupTruncates;
    private int groupTransactions;
    private Lsn groupEnd;
    private long groupEndMicros;
    private long groupStartNanos;

    public Applier(ApplySettings settings, PgConnector connector, Spool spool, Listener listener) {
        this.settings = settings;
        this.connector = connector;
        this.spool = spool;
        this.listener = listener;
        this.progress = new Progress(settings.initialPosition(), settings.initialPosition(), 0, 0, 0, 0, 0, 0,
                settings.progressTracking());
    }

    public Progress progress() {
        return progress;
    }

    /** Asks the applier to finish; an open target transaction is rolled back. Does not wait. */
    public void stop() {
        stopping = true;
        spool.wakeReaders();
    }

    /** The durably applied position read on {@code other} (a target connection), or null before the first session. */
    public Lsn durable(Connection other) throws SQLException {
        ProgressTracker t = tracker;
        return t == null ? null : t.durable(other);
    }

    /** Drops the progress record on the target; call once the applier has stopped. */
    public void dropProgress(Connection other) throws SQLException {
        ProgressTracker t = tracker != null ? tracker : trackerFor(settings.progressTracking());
        t.drop(other);
    }

    /**
     * Drops whatever progress record an earlier applier left for {@code progressName} (origin or progress row), for
     * a process that finishes a cutover another one started and has no applier of its own.
     */
    public static void dropRecordedProgress(Connection target, String progressName) throws SQLException {
        try {
            new OriginProgress(progressName).drop(target);
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
        }
        new TableProgress(progressName).drop(target);
    }

    /**
     * The position recorded on the target by an earlier applier for {@code progressName} (replication origin or
     * progress table), or null if there is none. For resume checks; {@code target} is any target connection.
     */
    public static Lsn recordedProgress(Connection target, String progressName) throws SQLException {
        try {
            Lsn origin = new OriginProgress(progressName).recorded(target);
            if (origin != null) {
                return origin;
            }
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
        }
        return new TableProgress(progressName).durable(target);
    }

    @Override
    public void run() {
        Reconnect reconnect = new Reconnect(settings.reconnectBudget(), "the target server "
                + settings.target().address(), "changes keep being captured into the spool, and the replication slot"
                + " keeps the source's WAL until they are applied.", listener::paused);
        try {
            while (!stopping) {
                try (Connection session = openSession()) {
                    reconnect.succeeded();
                    applyFrom(session);
                    return;
                } catch (SQLException | RuntimeException e) {
                    if (stopping) {
                        return;
                    }
                    if (!Reconnect.isConnectionLost(e)) {
                        throw e;
                    }
                    if (!reconnect.pause(e, () -> stopping, LOG)) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // asked to stop: leave, the open group is rolled back
        } catch (EngineException e) {
            listener.failed(e);
        } catch (SQLException e) {
            listener.failed(new EngineException(EngineError.REPLICATION_FAILED, "Applying changes to the target failed: "
                    + e.getMessage() + " (SQLSTATE " + e.getSQLState() + "). Replication stopped before that"
                    + " transaction; fix the cause and resume the migration.", e));
        } catch (RuntimeException e) {
            listener.failed(new EngineException(EngineError.REPLICATION_FAILED, "Applying changes to the target failed: "
                    + e, e));
        }
    }

    private Connection openSession() throws SQLException {
        TargetSession.Opened opened = TargetSession.open(connector, settings.target());
        Connection c = opened.connection();
        targetMajor = opened.targetMajor();
        try {
            startFromRecordedProgress(c);
            return c;
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void startFromRecordedProgress(Connection c) throws SQLException {
        Lsn start = startTracker(c);
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = " + (tracker.synchronousCommit() ? "on" : "off"));
        }
        c.setAutoCommit(false);
        countInterruptedGroup(start);
        Progress p = progress;
        progress = new Progress(Lsn.max(p.applied(), start), Lsn.max(p.lastWriteCommit(), start), p.inserts(),
                p.updates(), p.deletes(), p.truncates(), 0, p.peakBatchRows(), tracker.kind());
        skipBelow = start;
        LOG.info("Applying changes to the target from {} (progress kept in {})", start,
                tracker.kind() == ProgressTracking.ORIGIN ? "replication origin " + settings.progressName()
                        : "table _pgmigrate.cdc_progress");
    }

    private Lsn startTracker(Connection c) throws SQLException {
        if (tracker != null) {
            return tracker.start(c, settings.initialPosition(), false); // a reconnect: never reset
        }
        ProgressTracking mode = settings.progressTracking();
        if (mode == ProgressTracking.AUTO) {
            try {
                ProgressTracker origin = trackerFor(ProgressTracking.ORIGIN);
                Lsn start = origin.start(c, settings.initialPosition(), settings.resetProgress());
                tracker = origin;
                return start;
            } catch (SQLException e) {
                if (!"42501".equals(e.getSQLState())) {
                    throw e;
                }
                LOG.info("The target user may not use replication origins ({}); keeping progress in a table instead",
                        e.getMessage());
                mode = ProgressTracking.TABLE;
            }
        }
        ProgressTracker chosen = trackerFor(mode);
        Lsn start = chosen.start(c, settings.initialPosition(), settings.resetProgress());
        tracker = chosen;
        return start;
    }

    private ProgressTracker trackerFor(ProgressTracking mode) {
        return mode == ProgressTracking.TABLE ? new TableProgress(settings.progressName())
                : new OriginProgress(settings.progressName());
    }

    // ---- the apply loop ----

    private Lsn skipBelow;
    private boolean skipping;

    private void applyFrom(Connection session) throws SQLException, InterruptedException {
        catalog.forgetTargets();
        resetGroup();
        try (SpoolReader reader = spool.reader();
             ChangeWriter writer = new ChangeWriter(session, catalog, settings.batchSize(), settings.batchBytes())) {
            reader.passOverTransactionsBefore(skipBelow); // the checks below stay, for what it hands over
            while (!stopping) {
                SpoolRecord record = reader.next(groupOpen() ? 0 : IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                if (record == null) {
                    if (groupOpen()) {
                        commitGroup(session, writer); // caught up: do not make the target wait
                    }
                    continue;
                }
                if (record instanceof SpoolRecord.Message m) {
                    if (skipping && PgOutputDecoder.carriesRows(m.bytes())) {
                        // applied before this restart: up to a whole spool segment of such rows is read again,
                        // and decoding them took seconds
                        continue;
                    }
                    apply(PgOutputDecoder.decode(m.bytes(), false), session, writer);
                } else if (record instanceof SpoolRecord.Streamed s) {
                    applyStreamed(s, reader, session, writer);
                } else if (record instanceof SpoolRecord.Keepalive k) {
                    if (groupOpen()) {
                        commitGroup(session, writer);
                    }
                    advance(k.lsn());
                }
                if (groupOpen() && !skipping && (groupChanges() >= settings.groupCommitChanges()
                        || System.nanoTime() - groupStartNanos >= settings.groupCommitDelay().toNanos())
                        && groupEnd != null && !inTransaction) {
                    commitGroup(session, writer);
                }
            }
            writer.discardPending();
            session.rollback();
            release(session);
        } catch (SQLException | RuntimeException e) {
            lostGroup(session, e);
            throw e;
        }
    }

    /**
     * On a normal stop, lets go of the replication origin at once: the cutover drops it next, and would otherwise poll
     * until this session's backend has exited.
     */
    private void release(Connection session) {
        try {
            tracker.release(session);
            session.rollback();
        } catch (SQLException e) {
            LOG.debug("Could not release the progress record on stop ({}); dropping it waits for the session to end",
                    e.getMessage());
        }
    }

    private boolean inTransaction;
    private Lsn transactionLsn;

    private void apply(PgOutputMessage message, Connection session, ChangeWriter writer) throws SQLException {
        if (message instanceof Begin b) {
            inTransaction = true;
            transactionLsn = b.finalLsn();
            skipping = b.finalLsn().isBefore(skipBelow);
            if (!skipping) {
                beginTransaction(b.commitTimeMicros(), writer);
            }
        } else if (message instanceof Commit c) {
            inTransaction = false;
            if (!skipping) {
                endTransaction(c.endLsn(), c.commitTimeMicros());
            }
            skipping = false;
        } else if (message instanceof Relation r) {
            catalog.update(r);
        } else if (message instanceof Type t) {
            catalog.update(t);
        } else if (skipping || message instanceof PgOutputMessage.Origin
                || message instanceof PgOutputMessage.LogicalMessage) {
            // a transaction applied before, origin information, or a logical message: nothing to write
            return;
        } else if (message instanceof Insert i) {
            writer.insert(writer.table(i.relationId(), targetMajor), i.newTuple());
            groupInserts++;
        } else if (message instanceof Update u) {
            writer.update(writer.table(u.relationId(), targetMajor), u);
            groupUpdates++;
        } else if (message instanceof Delete d) {
            writer.delete(writer.table(d.relationId(), targetMajor), d);
            groupDeletes++;
        } else if (message instanceof Truncate t) {
            List<TargetTable> tables = new ArrayList<>();
            for (int id : t.relationIds()) {
                tables.add(writer.table(id, targetMajor));
            }
            writer.truncate(tables, t.restartIdentity());
            groupTruncates++;
        } else {
            throw new EngineException(EngineError.REPLICATION_FAILED, "Unexpected " + message.type()
                    + " message in the change spool outside a streamed transaction.");
        }
    }

    private void applyStreamed(SpoolRecord.Streamed s, SpoolReader reader, Connection session, ChangeWriter writer)
            throws SQLException {
        if (s.commitLsn().isBefore(skipBelow)) {
            return;
        }
        transactionLsn = s.commitLsn();
        inTransaction = true;
        beginTransaction(s.commitTimeMicros(), writer);
        try (SpoolReader.StreamedMessages messages = reader.streamed(s)) {
            while (messages.hasNext()) {
                ByteBuffer bytes = messages.next();
                apply(PgOutputDecoder.decode(bytes, true), session, writer);
            }
        }
        inTransaction = false;
        endTransaction(s.endLsn(), s.commitTimeMicros());
    }

    private void beginTransaction(long commitTimeMicros, ChangeWriter writer) {
        if (!groupOpen()) {
            groupStartNanos = System.nanoTime();
            Progress p = progress;
            progress = new Progress(p.applied(), p.lastWriteCommit(), p.inserts(), p.updates(), p.deletes(),
                    p.truncates(), commitTimeMicros, p.peakBatchRows(), p.tracking());
        }
        groupTransactions++;
        writer.sourceTransaction(transactionLsn);
    }

    private void endTransaction(Lsn endLsn, long commitTimeMicros) {
        groupEnd = endLsn;
        groupEndMicros = commitTimeMicros;
    }

    private void commitGroup(Connection session, ChangeWriter writer) throws SQLException {
        if (groupEnd == null) {
            return;
        }
        writer.flush();
        boolean wrote = groupChanges() > 0;
        if (wrote) {
            tracker.beforeCommit(session, groupEnd, groupEndMicros);
            session.commit();
        } else {
            // Empty source transactions write nothing, so there is no commit to carry the origin forward.
            session.rollback();
        }
        Progress p = progress;
        progress = new Progress(Lsn.max(p.applied(), groupEnd), wrote ? groupEnd : p.lastWriteCommit(),
                p.inserts() + groupInserts, p.updates() + groupUpdates, p.deletes() + groupDeletes,
                p.truncates() + groupTruncates, 0, Math.max(p.peakBatchRows(), writer.peakBatchRows()), p.tracking());
        listener.applied(groupEnd);
        resetGroup();
    }

    private void advance(Lsn lsn) {
        Progress p = progress;
        if (lsn.compareTo(p.applied()) > 0) {
            progress = new Progress(lsn, p.lastWriteCommit(), p.inserts(), p.updates(), p.deletes(), p.truncates(),
                    0, p.peakBatchRows(), p.tracking());
            listener.applied(lsn);
        }
    }

    /**
     * After a failure: remember the interrupted group, since its COMMIT may have gone through before the connection
     * broke; the next session counts it if the recorded position shows it did.
     */
    private void lostGroup(Connection session, Exception cause) {
        if (groupEnd != null && groupChanges() > 0 && Reconnect.isConnectionLost(cause)) {
            interrupted = new long[] {groupEnd.value(), groupInserts, groupUpdates, groupDeletes, groupTruncates};
        }
        resetGroup();
        inTransaction = false;
        skipping = false;
    }

    private long[] interrupted;

    private void countInterruptedGroup(Lsn recorded) {
        long[] g = interrupted;
        interrupted = null;
        if (g != null && Lsn.of(g[0]).compareTo(recorded) <= 0) {
            Progress p = progress;
            progress = new Progress(p.applied(), p.lastWriteCommit(), p.inserts() + g[1], p.updates() + g[2],
                    p.deletes() + g[3], p.truncates() + g[4], 0, p.peakBatchRows(), p.tracking());
        }
    }

    private boolean groupOpen() {
        return groupTransactions > 0;
    }

    private long groupChanges() {
        return groupInserts + groupUpdates + groupDeletes + groupTruncates;
    }

    private void resetGroup() {
        groupInserts = 0;
        groupUpdates = 0;
        groupDeletes = 0;
        groupTruncates = 0;
        groupTransactions = 0;
        groupEnd = null;
        groupEndMicros = 0;
    }
}
