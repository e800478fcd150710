package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.TableSelection;
import org.pgmigrate.engine.cdc.apply.Applier;
import org.pgmigrate.engine.cdc.apply.ApplySettings;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage;
import org.pgmigrate.engine.cdc.spool.Spool;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.pg.SupportedVersions;
import org.pgmigrate.engine.progress.ProgressListener;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online migration of one database: publication and slot with an exported snapshot, change capture into a disk
 * spool while the base copy runs, continuous apply to the target, and cutover.
 *
 * <pre>{@code
 * try (OnlineReplication replication = new OnlineReplication(config, new PgConnector())) {
 *     SlotSnapshot slot = replication.prepare();     // refuses keyless tables before creating anything
 *     replication.startCapture();                    // WAL does not pile up on the source during the copy
 *     copyUnder(slot.snapshotName());                // the base copy, under the slot's snapshot
 *     replication.startApply();                      // releases the snapshot, applies spooled changes
 *     ...poll replication.stats()...
 *     CutoverResult done = replication.cutover(Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * <p>Threads: the lifecycle methods ({@link #prepare}, {@link #resume}, {@link #startCapture},
 * {@link #releaseSnapshot}, {@link #startApply}, {@link #cutover}, {@link #cancel}, {@link #close}) are serialized
 * on this object and may block on the servers; {@link #stats()} is lock-free and may be called from any thread at
 * any time. The work runs on threads this object owns: {@code pgmigrate-cdc-receive-<db>},
 * {@code pgmigrate-cdc-apply-<db>} and {@code pgmigrate-cdc-monitor-<db>}.
 *
 * <p>Failures: a failure on any thread moves the state to FAILED and stops the others, keeping the slot so that the
 * migration can {@link #resume}; {@link #stats()} carries the message and {@link #cutover} throws it. Cancel drops
 * the slot and the publication (a leaked slot would hold source WAL forever).
 *
 * <p>Source bookkeeping: everything this changes on the source (slot, publication, replica identities set to FULL)
 * is written to the {@link SourceChangeLog} before it is changed, and undone by {@link #cancel} and by
 * {@link #cutover} (a table left at FULL would write whole old rows to the source's WAL for as long as the source
 * runs); what could not be undone stays in the log to retry, and {@link #sourceUndo()} says what happened.
 */
public final class OnlineReplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineReplication.class);
    /**
     * How long the cutover parks between looks while it waits for the applied or the durable position (a volatile
     * read, or one query on the monitor's session): from the first, doubling up to the last. A fixed 20 ms added
     * 10 ms on average to each of the two waits of an idle database's cutover; a long drain still looks every 20 ms.
     */
    private static final long CUTOVER_POLL_FIRST_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long CUTOVER_POLL_LAST_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ReplicationConfig config;
    private final PgConnector connector;
    private final ReplicationNames names;
    private final SourceSetup setup;
    private final SourceChangeLog changeLog;
    private final CommitTimeline timeline = new CommitTimeline();
    private final AtomicReference<EngineException> failure = new AtomicReference<>();
    /** Why capture or apply is paused (a server unreachable past the reconnect window, a full spool), or null. */
    private final AtomicReference<String> capturePaused = new AtomicReference<>();
    private final AtomicReference<String> applyPaused = new AtomicReference<>();

    // Set under this object's lock; volatile because stats() reads them without it.
    private volatile ReplicationState state = ReplicationState.NEW;
    private volatile int sourceVersion;
    private volatile SlotSnapshot slot;
    private boolean resumed;
    /**
     * The position durably applied on the target when this object took over an earlier apply (a resume, a restart
     * after a failed cutover), where the monitor starts; null otherwise (it starts at the slot's consistent point).
     */
    private Lsn knownApplied;
    private Connection snapshotHolder;
    private volatile Spool spool;
    private final ReplicationThreads threads;
    private final Teardown teardown;
    private volatile Receiver receiver;
    private volatile Applier applier;
    private volatile Monitor monitor;
    /** What replaced receiver and applier threads counted; see {@link #restartAfterFailedCutover}. */
    private volatile CarriedCounters carried = CarriedCounters.NONE;

    /** A replication whose record of source changes lives in memory (it cannot be undone after a crash). */
    public OnlineReplication(ReplicationConfig config, PgConnector connector) {
        this(config, connector, SourceChangeLog.inMemory());
    }

    /**
     * @param changeLog where what is changed on the source is recorded before it is changed; give the same record
     *                  to the replication that resumes or cancels this one in another process
     */
    public OnlineReplication(ReplicationConfig config, PgConnector connector, SourceChangeLog changeLog) {
        this.config = config;
        this.connector = connector;
        this.names = config.names();
        this.setup = new SourceSetup(config.source());
        this.changeLog = changeLog;
        this.teardown = new Teardown(config, changeLog);
        this.threads = new ReplicationThreads(config.database(),
                Map.of("migration", config.migrationId(), "db", config.database()));
    }

    public ReplicationNames names() {
        return names;
    }

    public ReplicationConfig config() {
        return config;
    }

    /** {@link #prepare(ProgressListener, Cancellation)} without notices, and not cancelable. */
    public synchronized SlotSnapshot prepare() {
        return prepare(ProgressListener.NONE, new Cancellation());
    }

    /**
     * Checks the source, refuses tables without a primary key or replica identity (or sets REPLICA IDENTITY FULL
     * on them when allowed), then creates the publication and, after it, the slot with an exported snapshot. Any
     * leftover slot, publication or spool of this migration and database is removed first: a prepare starts over.
     * The snapshot stays valid until {@link #releaseSnapshot} or {@link #startApply}. What it changes on the source
     * is recorded in the {@link SourceChangeLog} first.
     *
     * <p>While the slot's creation waits for transactions that were open on the source when it started, {@code
     * listener} gets a {@link ProgressListener#notice notice} naming them and saying how to end them (again whenever
     * that set changes). {@code cancel} ends the wait with {@code CANCELED}.
     */
    public synchronized SlotSnapshot prepare(ProgressListener listener, Cancellation cancel) {
        requireState(ReplicationState.NEW, "prepare");
        try (Connection c = connector.open(config.source(), PgConnector.Side.SOURCE, "cdc-setup")) {
            sourceVersion = setup.checkReady(c, names.slot());
            requireSupportedTarget();
            // Checked before anything is created on the source: a filter naming what the source lacks stops here.
            TableSelection selection = TableSelection.resolve(c, config.filter(), config.database());
            List<SourceChanges.ReplicaIdentityChange> keylessTables = new ArrayList<>();
            List<String> keyless = new ArrayList<>();
            for (SourceSetup.KeylessTable t : setup.tablesWithoutReplicaIdentity(c)) {
                if (!selection.copiesRows(t.change().tableOid())) {
                    continue; // its changes are not replicated
                }
                keylessTables.add(t.change());
                keyless.add(t.name());
            }
            if (!keyless.isEmpty()) {
                if (!config.allowReplicaIdentityFull()) {
                    throw new EngineException(EngineError.NO_REPLICA_IDENTITY, "Table(s) " + String.join(", ", keyless)
                            + " in source database " + config.database() + " have no primary key and no replica"
                            + " identity, so their UPDATEs and DELETEs cannot be replicated (and would fail on the"
                            + " source once published). Add a primary key, or run ALTER TABLE ... REPLICA IDENTITY USING"
                            + " INDEX <unique index on NOT NULL columns>, or allow pgmigrate to set REPLICA IDENTITY"
                            + " FULL on them (property allowReplicaIdentityFull=true, CLI flag"
                            + " --allow-replica-identity-full). Nothing was created.");
                }
            }
            // Recorded before anything is changed: a crash from here on leaves a record to undo from (a table keeps
            // the identity it had before an earlier attempt set FULL).
            changeLog.save(changeLog.load().withReplication(names.slot(), names.publication())
                    .withReplicaIdentities(keylessTables));
            if (!keylessTables.isEmpty()) {
                setup.setReplicaIdentityFull(c, keylessTables);
            }
            setup.dropSlot(c, names.slot(), sourceVersion, Duration.ofSeconds(10));
            setup.createPublication(c, names.publication(), sourceVersion, selection);
            Spool.open(config.spoolDirectory(), config.spoolSegmentBytes(), (l, t) -> { }).delete();
            cancel.throwIfCanceled();
            snapshotHolder = connector.openReplication(config.source(), "cdc-snapshot");
            slot = createSlot(c, listener, cancel);
            spool = Spool.open(config.spoolDirectory(), config.spoolSegmentBytes(), timeline::received);
            state = ReplicationState.PREPARED;
            return slot;
        } catch (SQLException e) {
            closeSnapshotHolder();
            throw new EngineException(EngineError.REPLICATION_FAILED, "Preparing replication on the source server "
                    + config.source().address() + " failed: " + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")",
                    e);
        } catch (RuntimeException e) {
            closeSnapshotHolder();
            throw e;
        }
    }

    /**
     * Refuses a target outside the supported range before the slot and publication exist (the base copy would
     * refuse it only after they were made).
     */
    private void requireSupportedTarget() throws SQLException {
        try (Connection t = connector.open(config.target().withDatabase("postgres"), PgConnector.Side.TARGET,
                "cdc-setup")) {
            SupportedVersions.require(new ServerVersion(sourceVersion), config.source().address(), ServerVersion.of(t),
                    config.target().address());
        }
    }

    /**
     * Creates the slot on {@link #snapshotHolder} while a {@link SlotCreationWait} watches, from {@code observer}, for
     * the transactions it waits for; a cancel cancels the command.
     */
    private SlotSnapshot createSlot(Connection observer, ProgressListener listener, Cancellation cancel)
            throws SQLException {
        int walsender = snapshotHolder.unwrap(PGConnection.class).getBackendPID();
        Runnable unregister = cancel.cancelStatementsOn(snapshotHolder);
        try (SlotCreationWait wait = new SlotCreationWait(observer, walsender, names.slot(),
                config.source().address(), config.database(), m -> listener.notice(config.database(), m),
                Duration.ofSeconds(1))) {
            return setup.createSlot(snapshotHolder, names.slot(), names.publication(), sourceVersion,
                    config.slotCreationTimeout());
        } catch (EngineException | SQLException e) {
            cancel.throwIfCanceled(); // the cancel interrupted CREATE_REPLICATION_SLOT: say so, not "timed out"
            throw e;
        } finally {
            unregister.run();
        }
    }

    /**
     * Picks up a migration prepared earlier (by this or another process) whose base copy is complete: the slot
     * must still exist, and the spool must hold whatever the source was told is safe but the target lacks. Then
     * call {@link #startCapture} and {@link #startApply}.
     */
    public synchronized void resume(SlotSnapshot saved) {
        requireState(ReplicationState.NEW, "resume");
        // The target's recorded progress is read on a session of its own while the source is checked and the spool
        // recovered here: the three are independent, and a restart waits for all of them before it streams.
        SideCall<Lsn> recorded = SideCall.start("pgmigrate-cdc-resume-" + config.database(), this::recordedProgress);
        Spool opened = null;
        Lsn applied;
        try (Connection c = connector.open(config.source(), PgConnector.Side.SOURCE, "cdc-setup")) {
            sourceVersion = setup.checkReady(c, null);
            SourceSetup.SlotStatus status = setup.slotStatus(c, names.slot(), sourceVersion);
            if (status == null || status.lost()) {
                throw setup.slotLost(names.slot(), status, null);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                ps.setString(1, names.publication());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new EngineException(EngineError.REPLICATION_SLOT_LOST, "Publication " + names.publication()
                                + " no longer exists on the source server " + config.source().address()
                                + "; changes cannot be captured reliably. Start the migration again.");
                    }
                }
            }
            opened = Spool.open(config.spoolDirectory(), config.spoolSegmentBytes(), timeline::received);
            Lsn progress = recorded.join();
            applied = progress == null ? saved.consistentPoint() : progress;
            // While the base copy ran, the source was told what the spool held; if that spool is gone, so are the
            // changes between the applied position and what the source was told.
            if (status.confirmedFlush().compareTo(Lsn.max(applied, opened.highWater())) > 0) {
                throw new EngineException(EngineError.REPLICATION_SLOT_LOST, "The source confirmed changes up to "
                        + status.confirmedFlush() + " to slot " + names.slot() + ", but the target has applied only up"
                        + " to " + applied + " and the change spool in " + config.spoolDirectory() + " ends at "
                        + opened.highWater() + ": the changes in between are lost (was the spool deleted or is this"
                        + " another machine?). Start the migration again.");
            }
        } catch (SQLException e) {
            closeQuietly(opened);
            throw new EngineException(EngineError.REPLICATION_FAILED, "Resuming replication on the source server "
                    + config.source().address() + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
        slot = saved;
        resumed = true;
        knownApplied = applied;
        spool = opened;
        state = ReplicationState.PREPARED;
    }

    /** The position the target recorded as applied (durably, with the changes), or null before any. */
    private Lsn recordedProgress() {
        try (Connection t = connector.open(config.target(), PgConnector.Side.TARGET, "cdc-setup")) {
            return Applier.recordedProgress(t, names.origin());
        } catch (SQLException e) {
            throw new EngineException(EngineError.REPLICATION_FAILED, "Reading the progress recorded on the target "
                    + config.target().address() + " failed: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Spool opened) {
        if (opened != null) {
            opened.close();
        }
    }

    /** Starts streaming changes into the spool (and the monitor). The snapshot stays held. Returns at once. */
    public synchronized void startCapture() {
        requireState(ReplicationState.PREPARED, "startCapture");
        monitor = new Monitor(config, connector, setup, sourceVersion, spool,
                knownApplied != null ? knownApplied : slot.consistentPoint(), this::fail);
        receiver = new Receiver(config, connector, setup, sourceVersion, spool, timeline,
                () -> monitor.durableApplied(), this::fail, capturePaused::set);
        if (resumed) {
            // Apply ran before (a resume, a restart after a failed cutover): from its first status update on, the
            // source hears only what is durably applied, never what the spool alone holds.
            receiver.confirmAppliedFromNowOn();
        }
        threads.startMonitor(monitor, config.monitorInterval());
        state = ReplicationState.CAPTURING;
        threads.startReceiver(receiver);
    }

    /** Ends the exported snapshot: call once the base copy is done (startApply does it too). */
    public synchronized void releaseSnapshot() {
        closeSnapshotHolder();
    }

    /**
     * Releases the snapshot and starts applying spooled changes to the target; from now on the source is told only
     * what is durably applied. The target must hold the base copy, with primary keys and replica identity indexes.
     */
    public synchronized void startApply() {
        if (state == ReplicationState.PREPARED) {
            startCapture();
        }
        requireState(ReplicationState.CAPTURING, "startApply");
        closeSnapshotHolder();
        ApplySettings settings = new ApplySettings(config.target(), names.origin(), config.progressTracking(),
                slot.consistentPoint(), config.groupCommitChanges(), config.groupCommitDelay(), config.batchSize(),
                config.batchBytes(), config.reconnectTimeout(), !resumed);
        applier = new Applier(settings, connector, spool, new Applier.Listener() {
            @Override
            public void applied(Lsn upTo) {
                timeline.applied(upTo);
            }

            @Override
            public void failed(EngineException e) {
                fail(e);
            }

            @Override
            public void paused(String message) {
                applyPaused.set(message);
            }
        });
        monitor.applierStarted(applier);
        receiver.confirmAppliedFromNowOn();
        state = ReplicationState.APPLYING;
        threads.startApplier(applier);
    }

    /** A consistent-enough snapshot of the counters and positions; never blocks. */
    public ReplicationStats stats() {
        Applier a = applier;
        Applier.Progress p = a == null ? null : a.progress();
        Receiver r = receiver;
        Monitor m = monitor;
        Lsn current = m == null ? Lsn.INVALID : m.sourceCurrent();
        Lsn durable = m == null ? (slot == null ? Lsn.INVALID : slot.consistentPoint()) : m.durableApplied();
        long oldest = timeline.oldestUnappliedMicros();
        if (p != null && p.openGroupFirstCommitMicros() > 0 && (oldest < 0 || p.openGroupFirstCommitMicros() < oldest)) {
            oldest = p.openGroupFirstCommitMicros();
        }
        Duration latency = Duration.ZERO;
        if (oldest >= 0) {
            latency = Duration.between(PgOutputMessage.toInstant(oldest), Instant.now());
            if (latency.isNegative()) {
                latency = Duration.ZERO;
            }
        }
        EngineException f = failure.get();
        Spool s = spool;
        CarriedCounters c = carried;
        CdcCounters counters = c.counters().plus(CarriedCounters.counted(p, r == null ? 0 : r.incomingChanges()));
        ReplicationPositions positions = ReplicationPositions.NONE.withSourceCurrent(current)
                .withReceived(r == null ? Lsn.INVALID : r.received())
                .withSpooled(s == null ? Lsn.INVALID : s.durableLsn())
                .withApplied(p == null ? Lsn.INVALID : p.applied())
                .withDurable(durable)
                .withConfirmed(r == null ? Lsn.INVALID : r.confirmed());
        return new ReplicationStats(config.database(), state, counters, positions, current.bytesAfter(durable), latency,
                s == null ? 0 : s.sizeBytes(), p == null ? 0 : p.peakBatchRows(),
                (int) c.reconnects() + (r == null ? 0 : r.reconnects()), f == null ? null : f.getMessage(), paused());
    }

    /** {@link #cutover(Duration, CutoverJournal)} without a journal (a process that will not be restarted). */
    public synchronized CutoverResult cutover(Duration timeout) {
        return cutover(timeout, CutoverJournal.NONE);
    }

    /**
     * Takes the source's current WAL position as the end point, applies every commit up to it and proves it (the
     * durably applied position reaches it; keepalives prove it when no transaction follows), sets sequences from
     * their live source values, restores identity columns, refreshes materialized views, records in the journal that
     * the target is complete, and drops the slot, the publication and the progress origin. Stop writes on the source
     * first: later commits are not applied. Blocks up to {@code timeout} for the drain.
     *
     * <p>A step that fails before the journal records the target complete leaves replication applying changes, as
     * before the call (threads stopped for the final steps are started again from the slot and spool), and throws
     * {@link EngineError#CUTOVER_FAILED} naming the step: the cutover can simply be triggered again. A failure to drop
     * the source's objects after that point does not undo the cutover; the result reports it.
     */
    public synchronized CutoverResult cutover(Duration timeout, CutoverJournal journal) {
        throwIfFailed();
        requireState(ReplicationState.APPLYING, "cutover");
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        state = ReplicationState.CUTTING_OVER;
        CutoverStep step = CutoverStep.END_POINT;
        boolean threadsStopped = false;
        journal.stepStarted(step);
        try (CutoverSessions sessions = CutoverSessions.open(connector, config)) {
            Connection source = sessions.source();
            Connection target = sessions.target();
            journal.beforeEndPoint(source);
            Lsn endPoint = setup.currentInsertLsn(source);
            try {
                setup.nudgeWal(source);
            } catch (SQLException e) {
                LOG.debug("Could not write a WAL record to move past the end point: {}", e.getMessage());
            }
            LOG.info("Cutover: applying every source commit up to {}", endPoint);
            step = next(journal, started, CutoverStep.DRAIN);
            drain(endPoint, deadline);
            step = next(journal, started, CutoverStep.DURABLE);
            threadsStopped = true;
            applier.stop();
            // Every change up to the end point is spooled (the drain applied it): the receiver stops now, its
            // connection closing while the applier ends and the target proves its flush.
            receiver.stop();
            threads.joinApplier();
            throwIfFailed();
            Applier.Progress applied = applier.progress();
            Lsn durable = awaitDurable(applied, deadline);
            threads.joinReceiver();
            stopMonitor();
            step = next(journal, started, CutoverStep.SEQUENCES);
            int sequences = CutoverSteps.synchronizeSequences(source, target);
            step = next(journal, started, CutoverStep.IDENTITY);
            int identities = CutoverSteps.restoreIdentityAlways(source, target);
            step = next(journal, started, CutoverStep.MATERIALIZED_VIEWS);
            int views = config.refreshMaterializedViews() ? CutoverSteps.refreshMaterializedViews(target) : 0;
            LOG.info("Cutover: {} sequences set from live source values, {} identity columns restored, {} materialized"
                    + " views refreshed", sequences, identities, views);
            journal.targetComplete(endPoint, durable);
            step = next(journal, started, CutoverStep.SOURCE_CLEANUP);
            EngineException leftover = dropEverything(source, target);
            state = ReplicationState.COMPLETED;
            ReplicationStats finalStats = stats();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            LOG.info("Cutover complete in {} ms: end point {}, applied {} ({} inserts, {} updates, {} deletes)",
                    took.toMillis(), endPoint, durable, finalStats.cdcInsertCounter(), finalStats.cdcUpdateCounter(),
                    finalStats.cdcDeleteCounter());
            return new CutoverResult(endPoint, durable, sequences, finalStats, took,
                    leftover == null ? null : leftover.getMessage());
        } catch (SQLException | RuntimeException e) {
            throw cutoverStepFailed(step, e, threadsStopped);
        }
    }

    /**
     * Finishes a cutover whose journal recorded the target complete but whose process died before the cleanup
     * ended: drops the slot (if it is still there), the publication, the progress record and the spool. Safe to
     * repeat. Call on a new object, instead of {@link #resume}.
     */
    public synchronized CutoverResult completeInterruptedCutover(Lsn endPoint, Lsn applied) {
        requireState(ReplicationState.NEW, "completeInterruptedCutover");
        long started = System.nanoTime();
        EngineException leftover;
        try (Connection source = connector.open(config.source(), PgConnector.Side.SOURCE, "cdc-cutover")) {
            leftover = teardown.dropSourceObjects(source, 0, "Cutover");
        } catch (RuntimeException | SQLException e) {
            leftover = teardown.unreachable(e, "Cutover");
        }
        try (Connection target = connector.open(config.target(), PgConnector.Side.TARGET, "cdc-cutover")) {
            Applier.dropRecordedProgress(target, names.origin());
        } catch (RuntimeException | SQLException e) {
            LOG.warn("Could not drop the progress record {} on the target: {}", names.origin(), e.getMessage());
        }
        teardown.deleteSpool(null);
        state = ReplicationState.COMPLETED;
        LOG.info("Cutover completed after a restart: end point {}, applied {}", endPoint, applied);
        return new CutoverResult(endPoint, applied, 0, stats(), Duration.ofNanos(System.nanoTime() - started),
                leftover == null ? null : leftover.getMessage());
    }

    /** Starts {@code step}; the log tells when, so that a slow cutover shows which step it waited in. */
    private static CutoverStep next(CutoverJournal journal, long cutoverStarted, CutoverStep step) {
        LOG.info("Cutover step '{}' starts at +{} ms", step.description(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutoverStarted));
        journal.stepStarted(step);
        return step;
    }

    /**
     * What a failed cutover step leaves: replication applying changes again (threads stopped for the final steps
     * restart from the slot and spool), or FAILED when replication itself broke; and an error naming the step.
     */
    private EngineException cutoverStepFailed(CutoverStep step, Exception cause, boolean threadsStopped) {
        EngineException broken = failure.get();
        if (broken != null) {
            state = ReplicationState.FAILED;
            return new EngineException(broken.error(), broken.getMessage(), cause);
        }
        String why = cause instanceof EngineException ee ? ee.getMessage() : cause.getMessage();
        String resumed;
        if (threadsStopped) {
            try {
                restartAfterFailedCutover();
                resumed = " Changes are applied again, as before the cutover; fix the cause and trigger the cutover again.";
            } catch (RuntimeException restart) {
                cause.addSuppressed(restart);
                fail(restart instanceof EngineException ee ? ee : new EngineException(EngineError.REPLICATION_FAILED,
                        "Restarting replication after a failed cutover step failed: " + restart.getMessage(), restart));
                return new EngineException(EngineError.REPLICATION_FAILED, "Cutover step '" + step.description()
                        + "' failed: " + why + ". Replication could not be started again: " + restart.getMessage(),
                        cause);
            }
        } else {
            state = ReplicationState.APPLYING;
            resumed = " Changes are still being applied; fix the cause and trigger the cutover again.";
        }
        LOG.warn("Cutover step '{}' failed: {}", step.description(), why);
        return new EngineException(EngineError.CUTOVER_FAILED, "Cutover step '" + step.description() + "' failed: "
                + why + "." + resumed, cause);
    }

    /**
     * Starts receiver, monitor and applier again after a cutover stopped them and then failed: from the slot (which
     * the cutover had not dropped yet), the spool and the progress recorded on the target, as a resume would. The
     * counters carry on from where the stopped threads left them.
     */
    private void restartAfterFailedCutover() {
        stopThreads(); // a step may have failed before they all ended: none may outlive the restart
        carried = carried.plus(applier == null ? null : applier.progress(),
                receiver == null ? 0 : receiver.incomingChanges(), receiver == null ? 0 : receiver.reconnects());
        resumed = true;
        knownApplied = monitor == null ? null : monitor.durableApplied();
        state = ReplicationState.PREPARED;
        startCapture();
        startApply();
        LOG.info("Replication of database {} runs again after the failed cutover step", config.database());
    }

    /**
     * Stops everything and removes the replication objects: slot and publication on the source (always attempted,
     * since a leaked slot holds WAL forever), progress origin and spool. Target data stays as it is. Every other
     * change recorded in the {@link SourceChangeLog} is undone too (replica identities set to FULL get their earlier
     * identity back); {@link #sourceUndo()} says what was undone. Throws {@code REPLICATION_FAILED} with that report
     * when something is left on the source (it stays in the log, to retry).
     */
    public synchronized void cancel() {
        if (state == ReplicationState.COMPLETED || state == ReplicationState.CANCELED) {
            return;
        }
        stopThreads();
        closeSnapshotHolder();
        EngineException problem = teardown.undoSource(connector, "Cancel");
        if (applier != null) {
            try (Connection source = connector.open(config.source(), PgConnector.Side.SOURCE, "cdc-cancel");
                 Connection target = connector.open(config.target(), PgConnector.Side.TARGET, "cdc-cancel")) {
                CutoverSteps.restoreIdentityAlways(source, target);
                teardown.dropProgress(target, applier);
            } catch (SQLException | RuntimeException e) {
                LOG.warn("Cancel could not clean up the target (replication origin {}): {}", names.origin(),
                        e.getMessage());
            }
        }
        teardown.deleteSpool(spool);
        state = ReplicationState.CANCELED;
        if (problem != null) {
            throw problem;
        }
    }

    /**
     * What the last {@link #cancel} or {@link #cutover} undid on the source and what it could not (with the SQL to run
     * by hand), or null before either ran.
     */
    public SourceUndo.Report sourceUndo() {
        return teardown.lastUndo();
    }

    /**
     * Stops the threads and closes connections and the spool, keeping the slot, publication, origin and spool
     * files so that the migration can {@link #resume}. Idempotent.
     */
    @Override
    public synchronized void close() {
        stopThreads();
        closeSnapshotHolder();
        if (spool != null) {
            spool.close();
        }
        if (state != ReplicationState.COMPLETED && state != ReplicationState.CANCELED
                && state != ReplicationState.FAILED) {
            state = ReplicationState.STOPPED;
        }
    }

    // ---- internals ----

    private void drain(Lsn endPoint, long deadline) {
        long park = CUTOVER_POLL_FIRST_NANOS;
        while (true) {
            throwIfFailed();
            Applier.Progress p = applier.progress();
            if (p.applied().compareTo(endPoint) >= 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new EngineException(EngineError.REPLICATION_FAILED, "Cutover did not apply every change up to"
                        + " the end point " + endPoint + " in time: applied up to " + p.applied() + ", received up to "
                        + receiver.received() + ". Replication goes on; check that writes on the source have stopped"
                        + " and trigger the cutover again.");
            }
            receiver.requestKeepalive();
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, CUTOVER_POLL_LAST_NANOS);
        }
    }

    /** Waits until the target has flushed the last written commit; returns the durable applied position. */
    private Lsn awaitDurable(Applier.Progress applied, long deadline) {
        long park = CUTOVER_POLL_FIRST_NANOS;
        while (true) {
            Lsn durable = monitor.refreshDurable();
            if (durable.compareTo(applied.applied()) >= 0) {
                return durable;
            }
            if (System.nanoTime() > deadline) {
                throw new EngineException(EngineError.REPLICATION_FAILED, "Cutover: the target has applied up to "
                        + applied.applied() + " but reports only " + durable + " as flushed to disk. Retry the"
                        + " cutover.");
            }
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, CUTOVER_POLL_LAST_NANOS);
        }
    }

    /** Drops what replication left on both servers and the spool; returns what could not be dropped, or null. */
    private EngineException dropEverything(Connection source, Connection target) {
        EngineException problem = teardown.dropSourceObjects(source, sourceVersion, "Cutover");
        teardown.restoreTargetIdentities(target);
        try {
            teardown.dropProgress(target, applier);
        } catch (SQLException e) {
            LOG.warn("Could not drop replication origin {} on the target: {}", names.origin(), e.getMessage());
        }
        teardown.deleteSpool(spool);
        if (problem != null) {
            LOG.error("{}", problem.getMessage());
        }
        return problem;
    }

    /** The pause messages of capture and apply, or null when both run. */
    private String paused() {
        String capture = capturePaused.get();
        String apply = applyPaused.get();
        if (capture == null || apply == null) {
            return capture == null ? apply : capture;
        }
        return apply + " " + capture;
    }

    private void fail(EngineException e) {
        if (failure.compareAndSet(null, e)) {
            LOG.error("Replication of database {} stopped: {}", config.database(), e.getMessage());
            state = ReplicationState.FAILED;
            if (receiver != null) {
                receiver.stop();
            }
            if (applier != null) {
                applier.stop();
            }
        }
    }

    private void throwIfFailed() {
        EngineException f = failure.get();
        if (f != null) {
            throw new EngineException(f.error(), f.getMessage(), f);
        }
    }

    private void stopThreads() {
        if (applier != null) {
            applier.stop();
        }
        if (receiver != null) {
            receiver.stop();
        }
        threads.joinApplier();
        threads.joinReceiver();
        stopMonitor();
    }

    private void stopMonitor() {
        threads.stopMonitor();
        if (monitor != null) {
            monitor.close();
        }
    }

    private void closeSnapshotHolder() {
        if (snapshotHolder != null) {
            try {
                snapshotHolder.close();
            } catch (SQLException e) {
                LOG.debug("Closing the snapshot connection: {}", e.getMessage());
            }
            snapshotHolder = null;
        }
    }

    private void requireState(ReplicationState expected, String action) {
        if (state != expected) {
            throw new IllegalStateException("Cannot " + action + " in state " + state + "; expected " + expected);
        }
    }
}
