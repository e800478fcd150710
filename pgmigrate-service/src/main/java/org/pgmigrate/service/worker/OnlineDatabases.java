package org.pgmigrate.service.worker;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.CutoverJournal;
import org.pgmigrate.engine.cdc.CutoverResult;
import org.pgmigrate.engine.cdc.CutoverStep;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.cdc.ReplicationNames;
import org.pgmigrate.engine.cdc.ReplicationStats;
import org.pgmigrate.engine.cdc.SlotSnapshot;
import org.pgmigrate.engine.cdc.SourceUndo;
import org.pgmigrate.engine.checkpoint.PrefixedCheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationFilters;
import org.pgmigrate.service.migration.MigrationService;
import org.pgmigrate.service.server.Endpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change capture of one online migration's databases in this process: each database's base copy under its
 * replication slot's snapshot (a new attempt after a restart, since a copy cannot resume under another snapshot),
 * its resume after a restart once the copy is done (the slot is kept in the checkpoints and the spool under the data
 * dir), its live counters, and the removal of its slot and publication whenever it ends other than by a cutover.
 *
 * <p>What the engine changes on the source (slot, publication, replica identities) is recorded before it is changed
 * in a {@link SourceCleanups} record per database, which outlives the migration; what a cancel here cannot undo stays
 * there and is retried until it is done. Every database message about a cleanup ends with a sentence starting with
 * {@link SourceCleanups#CLEANUP}.
 *
 * <p>Checkpoints, per database: {@code online/<db>/attempt} (the base copy's attempt number; the engine's own
 * checkpoints of attempt n live under {@code online/<db>/<n>/}), {@code online/<db>/slot} (the slot and its snapshot,
 * written once the base copy is done), {@code online/<db>/cutover-target} (the cutover's end point and applied
 * position, written when the target is complete and before the source is cleaned up), {@code online/<db>/cutover}
 * (written once cut over) and
 * {@code online/<db>/cleaned} (the attempt whose source objects were dropped).
 *
 * <p>Thread-safe: base copies run on database-job threads, the rest on the migration's thread, and
 * {@link #applyCounters} on the progress flusher.
 */
final class OnlineDatabases {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineDatabases.class);

    /** One database whose changes this process captures, with the counters earlier processes reported. */
    record Live(OnlineReplication replication, DatabaseDetails base) {
    }

    /** The outcome of {@link #baseCopy}: whether the copy was done by an earlier process, and a note for the user. */
    record BaseCopy(boolean resumed, String note) {
    }

    private final WorkerContext ctx;
    private final StoredCheckpoints checkpoints;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    /** The messages that pause messages stand in for, per database, while the pause lasts. */
    private final Map<String, Optional<String>> displacedMessages = new ConcurrentHashMap<>();
    private final Map<String, String> cleanupNotes = new ConcurrentHashMap<>();

    OnlineDatabases(WorkerContext ctx, StoredCheckpoints checkpoints) {
        this.ctx = ctx;
        this.checkpoints = checkpoints;
    }

    /**
     * On a database-job thread: creates the publication and the slot, captures changes while the engine copies the
     * database under the slot's snapshot, records the slot, and starts applying. Blocks for the whole copy. On any
     * failure (a cancel or a shutdown included) the slot and publication are dropped and the exception rethrown.
     */
    BaseCopy baseCopy(Migration m, Endpoints endpoints, String db, DatabaseTask task, MigrationRun.RunningDatabase r,
                      MigrationRun run) {
        Optional<SlotSnapshot> copied = copiedSlot(db);
        if (copied.isPresent() && !cutOver(db)) {
            resume(m, endpoints, db, copied.get(), m.dbDetails().get(db));
            return new BaseCopy(true, null);
        }
        int previous = attempt(db);
        int attempt = previous + 1;
        checkpoints.put(key(db, "attempt"), Integer.toString(attempt));
        boolean drop = task.dropIfExists();
        String note = null;
        if (previous > 0) {
            PrefixedCheckpointStore earlier = new PrefixedCheckpointStore(checkpoints, attemptPrefix(db, previous));
            boolean created = earlier.isDone("db/" + db + "/created");
            Optional<String> identity = earlier.get(targetIdentityKey(db));
            if (created && identity.isPresent()) {
                // Only the database that attempt created goes: one dropped and created again by someone is kept.
                ctx.migrator().dropEarlierAttempt(task.source(), task.target(), identity.get());
            } else {
                drop |= created; // recorded before identities were: the earlier behaviour
            }
            note = "The service stopped during the base copy of this database. An online base copy cannot resume "
                    + "under a new snapshot, so it started over (attempt " + attempt + "): a new replication slot, and "
                    + (created ? "the target database dropped and copied again." : "a new copy.");
            String said = note;
            run.updateDatabase(db, d -> d.withReplication(0, 0, 0, 0, 0, 0, 0)
                    .withState(DatabaseMigrationState.IN_PROGRESS, "Starting over", said));
            LOG.info("Database {}: {}", db, note);
        }
        ctx.workDirectory(m.migrationId(), spoolName(db)); // 0700 before the engine spools the source's rows into it
        OnlineReplication replication = replication(m, endpoints, db);
        live.put(db, new Live(replication, null));
        try {
            SlotSnapshot slot = prepare(replication, db, r, run, note);
            replication.startCapture();
            ctx.migrator().migrateDatabase(task.withSnapshot(slot.snapshotName(), drop), r.progress(),
                    new PrefixedCheckpointStore(checkpoints, attemptPrefix(db, attempt)), r.signal());
            checkpoints.put(key(db, "slot"), encode(slot));
            replication.startApply();
            LOG.info("Database {}: base copy done; applying changes from slot {}.", db, slot.slotName());
            return new BaseCopy(false, note);
        } catch (RuntimeException e) {
            ctx.cleanups().locked(m.migrationId(), db, () -> {
                live.remove(db);
                discard(m, replication, db, attempt, "the base copy did not finish").ifPresent(s -> cleanupNotes.put(db, s));
                return null;
            });
            throw e;
        }
    }

    /**
     * Creates the slot; while its creation waits for transactions open on the source, the database's message names
     * them (and is put back afterwards); a cancel or a shutdown ends the wait.
     */
    private SlotSnapshot prepare(OnlineReplication replication, String db, MigrationRun.RunningDatabase r,
                                 MigrationRun run, String note) {
        Cancellation cancel = new Cancellation();
        r.signal().onStop(() -> cancel.cancel(r.signal().reason() == StopSignal.Reason.SHUTDOWN
                ? "stopped for a service shutdown" : "canceled"));
        AtomicBoolean waited = new AtomicBoolean();
        SlotSnapshot slot = replication.prepare(new ProgressListener() {
            @Override
            public void notice(String database, String message) {
                waited.set(true);
                run.updateDatabase(db, d -> d.migrationState().isFinished() ? d
                        : d.withState(d.migrationState(), d.migrationOperation(), message));
            }
        }, cancel);
        if (waited.get()) {
            run.updateDatabase(db, d -> d.withState(d.migrationState(), d.migrationOperation(), note));
        }
        return slot;
    }

    /**
     * The sentence about the source cleanup of a database whose base copy did not finish, for its Failed or Canceled
     * message; empty when there was nothing to undo.
     */
    Optional<String> cleanupNote(String db) {
        return Optional.ofNullable(cleanupNotes.remove(db));
    }

    /**
     * After a restart: brings every database whose base copy is done, and that is not live here yet, back to applying
     * changes and to WaitingForCutoverTrigger (a cutover that a restart interrupted is triggered again). A database
     * that cannot resume (its slot is gone) fails, with its source objects dropped.
     */
    void resumeWaiting(Migration m, Endpoints endpoints, MigrationRun run) {
        for (String db : m.spec().dbsToMigrate()) {
            DatabaseDetails d = m.dbDetails().get(db);
            Optional<String> interrupted = checkpoints.get(key(db, "cutover-target"));
            if (interrupted.isPresent() && !cutOver(db) && d != null && !d.migrationState().isFinished()) {
                finishInterruptedCutover(m, endpoints, db, interrupted.get(), run);
                continue;
            }
            Optional<SlotSnapshot> slot = copiedSlot(db);
            if (d == null || d.migrationState().isFinished() || d.migrationState() == DatabaseMigrationState.CANCELING
                    || live.containsKey(db) || cutOver(db)
                    || slot.isEmpty() && d.migrationState() != DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER) {
                continue;
            }
            try {
                if (slot.isEmpty()) {
                    throw new IllegalStateException("no replication slot is recorded for database " + db);
                }
                resume(m, endpoints, db, slot.get(), d);
                if (d.migrationState() != DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER) {
                    run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER,
                            "Replicating changes", x.message()));
                }
            } catch (RuntimeException e) {
                LOG.error("Database {} cannot resume its change capture: {}", db, e.getMessage());
                String problem = cancel(m, endpoints, db).map(p -> " " + p).orElse("");
                run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.FAILED, "Failed", "Change capture "
                        + "could not resume after the service restarted: " + e.getMessage() + problem));
            }
        }
    }

    /**
     * A cutover recorded the target complete (every change up to its end point applied, sequences, identities and
     * materialized views done) and the process died before its cleanup ended: finish the cleanup (the slot may be
     * gone already) and mark the database cut over, to be verified.
     */
    private void finishInterruptedCutover(Migration m, Endpoints endpoints, String db, String recorded,
                                          MigrationRun run) {
        String[] points = recorded.split(" ");
        Lsn endPoint = Lsn.parse(points[0]);
        Lsn applied = Lsn.parse(points[1]);
        CutoverResult done = replication(m, endpoints, db).completeInterruptedCutover(endPoint, applied);
        Optional<String> settings = cutOverDone(m, db, endPoint, applied);
        String note = "The service stopped during the cutover, after every change up to the end point " + endPoint
                + " was applied; the cutover was finished after the restart."
                + (done.sourceCleanupProblem() == null ? "" : " " + done.sourceCleanupProblem())
                + settings.map(n -> " " + n).orElse("");
        run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.IN_PROGRESS, "Verifying", note));
        LOG.info("Database {}: {}", db, note);
    }

    /** What a cutover of {@code db} records: the steps as the operation, and the target complete durably. */
    CutoverJournal journal(String db, MigrationRun run) {
        return new CutoverJournal() {
            @Override
            public void stepStarted(CutoverStep step) {
                run.updateDatabase(db, x -> x.withOperation("Cutting over: " + step.description()));
            }

            @Override
            public void targetComplete(Lsn endPoint, Lsn applied) {
                checkpoints.put(key(db, "cutover-target"), endPoint + " " + applied);
            }
        };
    }

    private void resume(Migration m, Endpoints endpoints, String db, SlotSnapshot slot, DatabaseDetails stored) {
        Optional<String> identity = new PrefixedCheckpointStore(checkpoints, attemptPrefix(db, attempt(db)))
                .get(targetIdentityKey(db));
        if (identity.isPresent()) {
            ctx.migrator().requireTargetDatabase(endpoints.target(db), identity.get());
        }
        ctx.workDirectory(m.migrationId(), spoolName(db)); // tightens a spool directory left by an older version
        OnlineReplication replication = replication(m, endpoints, db);
        try {
            replication.resume(slot);
            replication.startApply();
        } catch (RuntimeException e) {
            replication.close();
            throw e;
        }
        live.put(db, new Live(replication, stored));
        LOG.info("Database {}: change capture resumed from slot {}.", db, slot.slotName());
    }

    /** The live replication of {@code db}, if this process captures its changes. */
    Optional<OnlineReplication> replication(String db) {
        return Optional.ofNullable(live.get(db)).map(Live::replication);
    }

    /** Whether any database's changes are captured here (the flusher then has counters to write). */
    boolean anyLive() {
        return !live.isEmpty();
    }

    /**
     * {@code m} with each live database's change-capture counters (added to what earlier processes counted), and,
     * while its replication is paused, why: the pause message stands in for the database's message until it ends.
     */
    Migration applyCounters(Migration m) {
        Migration x = m;
        for (Map.Entry<String, Live> e : live.entrySet()) {
            ReplicationStats s = e.getValue().replication().stats();
            DatabaseDetails base = e.getValue().base();
            x = x.withDatabase(e.getKey(), d -> d.migrationState().isFinished() ? d
                    : showPause(e.getKey(), counters(d, base, s), s.paused()));
        }
        return x;
    }

    /** Puts a pause message in place of the database's message, and the message back once the pause ends. */
    private DatabaseDetails showPause(String db, DatabaseDetails d, String paused) {
        if (paused != null) {
            if (!displacedMessages.containsKey(db)) {
                displacedMessages.put(db, Optional.ofNullable(d.message()));
                LOG.warn("Database {}: {}", db, paused);
            }
            return d.withState(d.migrationState(), d.migrationOperation(), paused);
        }
        Optional<String> displaced = displacedMessages.remove(db);
        if (displaced == null) {
            return d;
        }
        LOG.info("Database {}: replication runs again", db);
        return d.withState(d.migrationState(), d.migrationOperation(), displaced.orElse(null));
    }

    /** {@code d} with {@code s} added to the counters of {@code base} (null: none). */
    static DatabaseDetails counters(DatabaseDetails d, DatabaseDetails base, ReplicationStats s) {
        return d.withReplication((base == null ? 0 : base.cdcInsertCounter()) + s.cdcInsertCounter(),
                (base == null ? 0 : base.cdcUpdateCounter()) + s.cdcUpdateCounter(),
                (base == null ? 0 : base.cdcDeleteCounter()) + s.cdcDeleteCounter(),
                (base == null ? 0 : base.appliedChanges()) + s.appliedChanges(),
                (base == null ? 0 : base.incomingChanges()) + s.incomingChanges(), s.latencySeconds(),
                Math.max(0, s.pendingBytes()));
    }

    /** The counters a database had when it was resumed here, or null. */
    DatabaseDetails base(String db) {
        Live l = live.get(db);
        return l == null ? null : l.base();
    }

    /**
     * Forgets a database that was cut over (its replication objects are gone). Returns what the cutover undid on the
     * source (replica identities set to FULL restored) and whether server settings pgmigrate changed stay, as
     * sentences for its message, if there is anything to say.
     */
    Optional<String> cutOverDone(Migration m, String db, Lsn endPoint, Lsn applied) {
        checkpoints.put(key(db, "cutover"), endPoint + " " + applied);
        Live l = live.remove(db);
        SourceUndo.Report undo = l == null ? null : l.replication().sourceUndo();
        Optional<String> cleanup = undo == null ? Optional.empty() : ctx.cleanups().sentence(undo);
        Optional<String> settings = ctx.cleanups().keepSettings(m.migrationId());
        String both = String.join(" ", Stream.of(cleanup, settings).flatMap(Optional::stream).toList());
        return both.isEmpty() ? Optional.empty() : Optional.of(both);
    }

    boolean cutOver(String db) {
        return checkpoints.get(key(db, "cutover")).isPresent();
    }

    /**
     * Stops the capture of {@code db} and undoes what it changed on the source: slot, publication, replica
     * identities (and its progress on the target). Returns the sentence for the database's message (what was undone,
     * and what was not with the SQL to run by hand; pgmigrate retries what is left), or empty when there was nothing
     * to undo. A database that was cleaned already (possibly with something left to retry) is not cleaned again.
     */
    Optional<String> cancel(Migration m, Endpoints endpoints, String db) {
        return ctx.cleanups().locked(m.migrationId(), db, () -> {
            Live l = live.remove(db);
            int attempt = attempt(db);
            if (attempt == 0 || cutOver(db) || checkpoints.get(key(db, "cleaned")).filter(
                    a -> a.equals(Integer.toString(attempt))).isPresent()) {
                if (l != null) {
                    l.replication().close();
                }
                return ctx.cleanups().pendingSentence(m.migrationId(), db);
            }
            OnlineReplication replication = l != null ? l.replication() : replication(m, endpoints, db);
            Optional<String> sentence = discard(m, replication, db, attempt, "it was canceled or failed");
            if (l == null) {
                dropTargetOrigin(endpoints, db, ReplicationNames.of(m.migrationId(), db).origin());
            }
            return sentence;
        });
    }

    /**
     * The migration ended (Failed or Canceled): drops what any of its databases still has on the source. A database
     * whose endpoints cannot be resolved any more is logged with the names to drop by hand.
     */
    void cleanUp(Migration m) {
        if (m.spec().dbsToMigrate() == null || m.spec().dbsToMigrate().stream().allMatch(db -> attempt(db) == 0)) {
            return; // nothing was ever created on the source
        }
        Endpoints endpoints;
        try {
            endpoints = ctx.resolver().resolve(m.key(), m.spec(), ctx.secrets().open(m.sealedSecrets(), m.migrationId()));
        } catch (ServiceException | IllegalStateException e) {
            for (String db : m.spec().dbsToMigrate()) {
                if (attempt(db) > 0 && !cutOver(db)) {
                    LOG.error("Cannot reach the source to drop the replication slot and publication {} of database {}: {}."
                            + " Drop them by hand: a leftover slot keeps source WAL forever.",
                            ReplicationNames.of(m.migrationId(), db).slot(), db, e.getMessage());
                }
            }
            return;
        }
        for (String db : m.spec().dbsToMigrate()) {
            cancel(m, endpoints, db).ifPresent(sentence -> ctx.store().update(m.migrationId(), x -> x.withDatabase(db,
                    d -> d.withState(d.migrationState(), d.migrationOperation(),
                            SourceCleanups.replaced(d.message(), SourceCleanups.CLEANUP, sentence)))));
        }
    }

    /** Stops every live capture and keeps its slot, publication and spool, to resume at the next start. */
    void closeAll() {
        for (Map.Entry<String, Live> e : live.entrySet()) {
            try {
                e.getValue().replication().close();
            } catch (RuntimeException ex) {
                LOG.warn("Closing the change capture of {}: {}", e.getKey(), ex.toString());
            }
        }
        live.clear();
    }

    /**
     * Cancels {@code replication}; returns the sentence about what was undone on the source. What is left stays in
     * the database's {@link SourceCleanups} record (the engine keeps it there), so marking the attempt cleaned never
     * forgets it: the retries take over.
     */
    private Optional<String> discard(Migration m, OnlineReplication replication, String db, int attempt, String why) {
        try {
            replication.cancel();
            LOG.info("Database {}: what pgmigrate changed on the source was undone ({}).", db, why);
        } catch (RuntimeException e) {
            LOG.error("Database {}: {}", db, e.getMessage());
            if (replication.sourceUndo() == null) {
                return Optional.of(SourceCleanups.CLEANUP + e.getMessage());
            }
        } finally {
            checkpoints.put(key(db, "cleaned"), Integer.toString(attempt));
            replication.close();
        }
        ctx.cleanups().attempted(m.migrationId(), db, replication.sourceUndo());
        return ctx.cleanups().sentence(replication.sourceUndo());
    }

    private OnlineReplication replication(Migration m, Endpoints endpoints, String db) {
        return ctx.migrator().replication(config(m, endpoints, db), ctx.cleanups().log(m, db, endpoints.source(db)));
    }

    /** A new process's cancel has no applier to drop the target's replication origin; drop it here (best effort). */
    private void dropTargetOrigin(Endpoints endpoints, String db, String origin) {
        try (Connection c = new PgConnector().open(endpoints.target(db), PgConnector.Side.TARGET, "service");
             PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_replication_origin_drop(roname) "
                     + "FROM pg_catalog.pg_replication_origin WHERE roname = ?")) {
            ps.setString(1, origin);
            ps.execute();
        } catch (SQLException | EngineException e) {
            LOG.debug("Could not drop replication origin {} on the target: {}", origin, e.getMessage());
        }
    }

    private ReplicationConfig config(Migration m, Endpoints endpoints, String db) {
        return ReplicationConfig.builder(m.migrationId(), endpoints.source(db), endpoints.target(db), spoolDirectory(m, db))
                .allowReplicaIdentityFull(m.spec().allowReplicaIdentityFull())
                .filter(MigrationFilters.of(m.spec().filters()))
                .spoolLimit(ctx.replication().spoolLimitBytes())
                .reconnectTimeout(ctx.replication().reconnectWindow())
                .build();
    }

    /** Under the data dir, so that it survives a restart (resume needs it). */
    private Path spoolDirectory(Migration m, String db) {
        return ctx.workRoot().resolve(m.migrationId()).resolve(spoolName(db));
    }

    private static String spoolName(String db) {
        return "cdc-" + DatabaseRunner.slug(db);
    }

    private int attempt(String db) {
        return checkpoints.get(key(db, "attempt")).map(Integer::parseInt).orElse(0);
    }

    private Optional<SlotSnapshot> copiedSlot(String db) {
        return checkpoints.get(key(db, "slot")).map(OnlineDatabases::decode);
    }

    private static String key(String db, String what) {
        return "online/" + db + "/" + what;
    }

    /** Where the engine records the identity of the target database it created (see DatabaseMigration). */
    private static String targetIdentityKey(String db) {
        return "db/" + db + "/target-identity";
    }

    private static String attemptPrefix(String db, int attempt) {
        return "online/" + db + "/" + attempt + "/";
    }

    /** Slot, publication and snapshot names never contain spaces (they are identifiers the engine chose). */
    static String encode(SlotSnapshot s) {
        return String.join(" ", s.slotName(), s.publicationName(), s.snapshotName(), s.consistentPoint().toString());
    }

    static SlotSnapshot decode(String text) {
        String[] p = text.split(" ");
        if (p.length != 4) {
            throw new IllegalStateException("Corrupt replication slot checkpoint '" + text + "'");
        }
        return new SlotSnapshot(p[0], p[1], p[2], Lsn.parse(p[3]));
    }

    /** What a canceled database's message says, ending with the sentence about its source cleanup. */
    static String canceledMessage(String db, Optional<String> cleanup) {
        return String.format(MigrationService.CANCEL_NOTE, db) + cleanup.map(c -> " " + c).orElse("");
    }

    /** The dbsToMigrate whose migrationState is WaitingForCutoverTrigger. */
    static List<String> waiting(Migration m) {
        return m.spec().dbsToMigrate().stream().filter(db -> {
            DatabaseDetails d = m.dbDetails().get(db);
            return d != null && d.migrationState() == DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER;
        }).toList();
    }
}
