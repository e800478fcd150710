package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.cdc.apply.Applier;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.verify.CutoverVerification;
import org.pgmigrate.engine.verify.SourceWrites;
import org.pgmigrate.engine.verify.VerificationReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online flow of one database, for every caller (the service, {@code clone --follow}, the demo, the bench): the
 * engine's base copy runs under the replication slot's exported snapshot while changes are captured into the spool,
 * then changes are applied continuously until the cutover, which {@link #cutoverAndVerify} follows with a comparison
 * of both sides.
 *
 * <p>How far it got is kept in the {@link CheckpointStore} it is given ({@link OnlineProgress} names the keys), so
 * that a new object on the same store, in this process or after a restart, goes on from there: {@link #start}
 * resumes applying from the recorded slot and the position the target recorded once the base copy is done; a base
 * copy that did not finish cannot resume under another snapshot, so it starts over as a new attempt (the target
 * database the earlier attempt created is dropped, once proven to be that one); a cutover that made the target
 * complete before the process died is finished ({@link #finishInterruptedCutover}); and a database cut over before
 * the restart is only verified. Give the same store to no two live objects.
 *
 * <p>Lifecycle methods are serialized; {@link #stats()} may be called from any thread at any time.
 */
public final class OnlineMigration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineMigration.class);
    /** How long the statistics of a write may take to reach pg_stat_user_tables (PGSTAT_IDLE_INTERVAL is 10 s). */
    private static final Duration STATISTICS_DELAY = Duration.ofSeconds(11);
    private static final Duration STATISTICS_POLL = Duration.ofSeconds(1);
    private static final SourceWrites.Changes NO_WRITES = new SourceWrites.Changes(Set.of(), List.of());

    private final Engine engine;
    private final DatabaseJob job;
    private final OnlineReplication replication;
    private final CheckpointStore checkpoints;
    private final OnlineProgress.Keys keys;
    private volatile SlotSnapshot slot;
    /** Whether this object prepared or resumed the replication (else a cancel has no applier to drop its progress). */
    private boolean ranHere;
    private volatile RuntimeException cleanupFailure;

    /**
     * A cutover and the comparison of both sides after it.
     *
     * @param cutover      the cutover, or null when an earlier process cut over and only the verification was left
     * @param verification the comparison, read against what the source wrote after the end point
     */
    public record VerifiedCutover(CutoverResult cutover, CutoverVerification verification) {
    }

    /** What {@link #cutoverAndVerify} tells as it goes; called on the caller's thread. */
    public interface CutoverProgress {

        CutoverProgress NONE = new CutoverProgress() {
        };

        /** A step of the cutover begins. */
        default void stepStarted(CutoverStep step) {
        }

        /** The target is complete and the source's replication objects are dropped; verification comes next. */
        default void cutOver(CutoverResult result) {
        }

        /** Both sides are about to be compared. */
        default void verifying() {
        }
    }

    /** A migration whose progress lives as long as this object: a later process cannot resume it. */
    public OnlineMigration(Engine engine, DatabaseJob job, OnlineReplication replication) {
        this(engine, job, replication, CheckpointStore.inMemory());
    }

    /**
     * The base copy takes the replication's filter ({@code ReplicationConfig.filter}), so that the tables copied and
     * the tables replicated are the same; {@code job} must have no other. {@code checkpoints} keeps how far the
     * migration got (see the class comment); its base copies keep their own checkpoints in it too.
     */
    public OnlineMigration(Engine engine, DatabaseJob job, OnlineReplication replication,
                           CheckpointStore checkpoints) {
        TableFilter filter = replication.config().filter();
        if (!job.filter().isEmpty() && !job.filter().equals(filter)) {
            throw new IllegalArgumentException("The job's filter (" + job.filter().describe() + ") is not the"
                    + " replication's (" + filter.describe() + ")");
        }
        this.engine = engine;
        this.job = job.withFilter(filter);
        this.replication = replication;
        this.checkpoints = checkpoints;
        this.keys = new OnlineProgress.Keys(job.source().database());
    }

    /** How far this database got, as its checkpoints record it now. */
    public OnlineProgress progress() {
        return OnlineProgress.read(checkpoints, database());
    }

    /**
     * Brings the database to applying changes. When its checkpoints record the base copy done, resumes from the
     * recorded slot (the target database must still be the one the copy wrote; the applier goes on from the position
     * the target recorded). Otherwise starts a base copy (a new attempt, when one did not finish): creates the
     * publication and slot, starts capture, runs the engine's copy under the slot's snapshot (blocking for as long
     * as it takes), records the slot, and starts applying. While the slot's creation waits for transactions open on
     * the source, {@code listener} is told ({@link ProgressListener#slotCreationWaiting}); {@code cancel} ends the
     * wait and the copy.
     *
     * <p>Returns the base copy's report, or null when it resumed ({@link #progress()} tells the attempt). A base
     * copy that fails (a cancel included) undoes what it changed on the source (slot, publication, replica
     * identities) before rethrowing; what that cleanup left is in {@link #sourceUndo()} or {@link #cleanupFailure()}.
     *
     * @throws IllegalStateException when the database was cut over already ({@link #cutoverAndVerify} verifies it)
     */
    public synchronized DatabaseReport start(ProgressListener listener, Cancellation cancel) {
        OnlineProgress recorded = progress();
        return switch (recorded.phase()) {
            case APPLYING -> {
                resume(recorded);
                yield null;
            }
            case CUTOVER_INTERRUPTED, CUT_OVER -> throw new IllegalStateException("Database " + database()
                    + " was cut over already; cutoverAndVerify verifies it");
            case NOT_STARTED, BASE_COPY -> baseCopy(recorded, listener, cancel);
        };
    }

    private DatabaseReport baseCopy(OnlineProgress recorded, ProgressListener listener, Cancellation cancel) {
        int attempt = recorded.attempt() + 1;
        checkpoints.put(keys.attempt(), Integer.toString(attempt));
        boolean drop = job.dropIfExists();
        if (recorded.startsOver()) {
            if (recorded.targetCreated() && recorded.targetIdentity() != null) {
                // Only the database that attempt created goes: one dropped and created again by someone is kept.
                engine.dropEarlierAttempt(job.source(), job.target(), recorded.targetIdentity());
            } else {
                drop |= recorded.targetCreated(); // recorded before identities were: the earlier behaviour
            }
            LOG.info("Database {}: the base copy of attempt {} did not finish; attempt {} starts over under a new"
                    + " snapshot", database(), recorded.attempt(), attempt);
        }
        ranHere = true;
        try {
            slot = replication.prepare(slotCreationWaits(listener), cancel);
            replication.startCapture();
            // Apply starts only after the copy (and its verification against the snapshot) returns.
            DatabaseReport report = engine.migrateDatabase(job.withSnapshot(slot.snapshotName()).withDropIfExists(drop),
                    listener, keys.attemptStore(checkpoints, attempt), cancel);
            checkpoints.put(keys.slot(), OnlineProgress.encodeSlot(slot));
            replication.startApply();
            LOG.info("Database {}: base copy done; applying changes from slot {}.", database(), slot.slotName());
            return report;
        } catch (RuntimeException e) {
            try {
                discard(attempt, "the base copy did not finish");
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void resume(OnlineProgress recorded) {
        // The target database is proved to be the one the copy wrote on a session of its own, beside the
        // replication's checks (neither writes anything); nothing is applied before both pass.
        SideCall<Void> identity = recorded.targetIdentity() == null ? null
                : SideCall.start("pgmigrate-resume-" + database(), () -> {
                    engine.requireTargetDatabase(job.target(), recorded.targetIdentity());
                    return null;
                });
        try {
            RuntimeException failed = null;
            try {
                replication.resume(recorded.copiedSlot());
            } catch (RuntimeException e) {
                failed = e;
            }
            if (identity != null) {
                try {
                    identity.join();
                } catch (RuntimeException notOurs) {
                    if (failed != null) {
                        notOurs.addSuppressed(failed);
                    }
                    throw notOurs; // a target that is not ours is the first thing to say, whatever else failed
                }
            }
            if (failed != null) {
                throw failed;
            }
            replication.startApply();
        } catch (RuntimeException e) {
            replication.close();
            throw e;
        }
        slot = recorded.copiedSlot();
        ranHere = true;
        LOG.info("Database {}: change capture resumed from slot {}.", database(), slot.slotName());
    }

    /** Passes the slot creation's notices on as what they are. */
    private ProgressListener slotCreationWaits(ProgressListener listener) {
        return new ProgressListener() {
            @Override
            public void notice(String database, String message) {
                listener.slotCreationWaiting(database, message);
            }
        };
    }

    /** The slot and snapshot of this run (null before {@link #start}). */
    public SlotSnapshot slot() {
        return slot;
    }

    public OnlineReplication replication() {
        return replication;
    }

    public ReplicationStats stats() {
        return replication.stats();
    }

    /**
     * The cutover ({@link OnlineReplication#cutover(Duration, CutoverJournal)}), its progress recorded in the
     * checkpoints: a process that dies after the target is complete is finished by the next one. Stop writes on the
     * source first. Throws {@code CUTOVER_FAILED} with replication applying again when a step before that point fails.
     */
    public synchronized CutoverResult cutover(Duration timeout) {
        return cutover(timeout, CutoverProgress.NONE);
    }

    private CutoverResult cutover(Duration timeout, CutoverProgress progress) {
        CutoverResult result = replication.cutover(timeout, new CutoverJournal() {
            @Override
            public void stepStarted(CutoverStep step) {
                progress.stepStarted(step);
            }

            @Override
            public void beforeEndPoint(Connection source) throws SQLException {
                // what the source writes after the end point is told apart in the verification
                checkpoints.put(keys.endPointWrites(), SourceWrites.read(source).encode());
            }

            @Override
            public void targetComplete(Lsn endPoint, Lsn applied) {
                checkpoints.put(keys.cutoverTarget(), new OnlineProgress.CutoverPoints(endPoint, applied).encode());
            }
        });
        checkpoints.put(keys.cutover(), new OnlineProgress.CutoverPoints(result.endPoint(), result.appliedPoint())
                .encode());
        return result;
    }

    /**
     * A cutover whose target was complete when its process died: drops the slot (if it is still there), the
     * publication, the progress record and the spool, and records the database cut over. Call on a new object.
     */
    public synchronized CutoverResult finishInterruptedCutover() {
        OnlineProgress recorded = progress();
        if (recorded.phase() != OnlineProgress.Phase.CUTOVER_INTERRUPTED) {
            throw new IllegalStateException("Database " + database() + " has no interrupted cutover to finish ("
                    + recorded.phase() + ")");
        }
        OnlineProgress.CutoverPoints points = recorded.targetComplete();
        CutoverResult done = replication.completeInterruptedCutover(points.endPoint(), points.applied());
        checkpoints.put(keys.cutover(), points.encode());
        LOG.info("Database {}: the cutover interrupted after end point {} was finished.", database(), points.endPoint());
        return done;
    }

    /**
     * Cuts over, then compares both sides: every table's rows, sequences and the definitions of objects. What the
     * source had written when the cutover began is recorded first, so that the comparison tells a table or sequence
     * written on the source after the end point (not migrated: a warning) from a real difference (a failure); see
     * {@link CutoverVerification}. Where an earlier process got further, this goes on from there: a cutover it left
     * with the target complete is finished, and one it completed is only verified.
     *
     * <p>Throws {@link EngineException}: from the cutover (nothing changed when {@link #progress()} still says
     * {@code APPLYING}; see {@link #cutover}), or from the verification after a cutover that is done ({@code CUT_OVER}):
     * call again to verify.
     *
     * @param verifyJobs sessions per side for the comparison
     * @param cancel     stops the comparison (the cutover itself runs to its end)
     */
    public synchronized VerifiedCutover cutoverAndVerify(Duration timeout, CutoverProgress progress, int verifyJobs,
                                                         Cancellation cancel) {
        CutoverResult result;
        switch (progress().phase()) {
            case APPLYING -> {
                result = cutover(timeout, progress);
                progress.cutOver(result);
            }
            case CUTOVER_INTERRUPTED -> {
                result = finishInterruptedCutover();
                progress.cutOver(result);
            }
            case CUT_OVER -> result = null; // an earlier process cut over; its verification did not finish
            default -> throw new IllegalStateException("Database " + database() + " has no base copy to cut over yet");
        }
        progress.verifying();
        VerificationReport report = engine.verifyDatabase(job.source(), job.target(), verifyJobs, 100, 0,
                job.skips(), cancel);
        return new VerifiedCutover(result, new CutoverVerification(report, writesAfterEndPoint(report, cancel)));
    }

    /**
     * What the source wrote between the end point and now, when the verification found differences. Statistics
     * reach pg_stat_user_tables with a delay (up to about 10 s for a backend that went idle right after a write,
     * PostgreSQL 15+), so while a differing table is not explained, the counters are read again for that long.
     */
    private SourceWrites.Changes writesAfterEndPoint(VerificationReport report, Cancellation cancel) {
        if (report.equal()) {
            return NO_WRITES;
        }
        Optional<SourceWrites> atEndPoint = endPointWrites();
        if (atEndPoint.isEmpty()) {
            LOG.warn("Database {}: the source's write counters at the cutover are unknown; every difference counts.",
                    database());
            return NO_WRITES;
        }
        long deadline = System.nanoTime() + STATISTICS_DELAY.toNanos();
        try {
            while (true) {
                SourceWrites.Changes changes = engine.sourceWrites(job.source()).since(atEndPoint.get());
                boolean unexplainedTable = report.mismatches().stream()
                        .anyMatch(t -> !changes.tables().contains(t.table()));
                if (!unexplainedTable || System.nanoTime() > deadline || cancel.isCanceled()) {
                    return changes;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(STATISTICS_POLL.toMillis()));
            }
        } catch (EngineException e) {
            LOG.warn("Database {}: cannot read the source's write counters after the cutover ({}); every difference "
                    + "counts.", database(), e.getMessage());
            return NO_WRITES;
        }
    }

    /** The reading taken when the last cutover began; empty if none was (or it cannot be read). */
    private Optional<SourceWrites> endPointWrites() {
        return checkpoints.get(keys.endPointWrites()).flatMap(text -> {
            try {
                return Optional.of(SourceWrites.decode(text));
            } catch (IllegalArgumentException e) {
                LOG.warn("Database {}: the source's write counters at the cutover cannot be read back: {}", database(),
                        e.getMessage());
                return Optional.empty();
            }
        });
    }

    /**
     * Stops replication and undoes what this database's current attempt changed on the source (slot, publication,
     * replica identities, and the progress record on the target), as its {@link SourceChangeLog} records it, whether
     * this object or an earlier process started it. Nothing to do when the checkpoints say nothing can remain (never
     * started, cut over, or cleaned up already). The attempt is recorded cleaned even when something is left: that
     * stays in the log, to retry. Throws {@code REPLICATION_FAILED} when something is left ({@link #sourceUndo()} says
     * what, with the SQL to run by hand).
     */
    public synchronized void cancel() {
        OnlineProgress recorded = progress();
        if (!recorded.sourceObjectsMayRemain()) {
            replication.close();
            return;
        }
        discard(recorded.attempt(), "it was canceled or failed");
    }

    private void discard(int attempt, String why) {
        cleanupFailure = null;
        try {
            replication.cancel();
            LOG.info("Database {}: what pgmigrate changed on the source was undone ({}).", database(), why);
        } catch (RuntimeException e) {
            LOG.error("Database {}: {}", database(), e.getMessage());
            cleanupFailure = e;
            throw e;
        } finally {
            checkpoints.put(keys.cleaned(), Integer.toString(attempt));
            replication.close();
            if (!ranHere) {
                dropTargetProgress();
            }
        }
    }

    /** A new process's cancel has no applier to drop the target's replication progress; drop it here (best effort). */
    private void dropTargetProgress() {
        String progress = replication.names().origin();
        try (Connection target = new PgConnector().open(job.target(), PgConnector.Side.TARGET, "cdc-cancel")) {
            Applier.dropRecordedProgress(target, progress);
        } catch (SQLException | EngineException e) {
            LOG.debug("Could not drop the replication progress {} on the target: {}", progress, e.getMessage());
        }
    }

    /**
     * What the last {@link #cancel}, failed base copy or cutover undid on the source and what it could not, or null
     * before any ran (or when its cleanup failed before it could tell: see {@link #cleanupFailure()}).
     */
    public SourceUndo.Report sourceUndo() {
        return replication.sourceUndo();
    }

    /** Why the last cleanup of the source failed, when it failed before it could tell what it left. */
    public Optional<RuntimeException> cleanupFailure() {
        RuntimeException failure = cleanupFailure;
        return failure == null || replication.sourceUndo() != null ? Optional.empty() : Optional.of(failure);
    }

    /** Stops the threads, keeping slot, publication, spool and checkpoints to go on later. Idempotent. */
    @Override
    public void close() {
        replication.close();
    }

    private String database() {
        return job.source().database();
    }
}
