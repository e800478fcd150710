package org.pgmigrate.service.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.CdcCounters;
import org.pgmigrate.engine.cdc.CutoverResult;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.cdc.OnlineProgress;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.cdc.ReplicationNames;
import org.pgmigrate.engine.cdc.ReplicationStats;
import org.pgmigrate.engine.cdc.SourceUndo;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationFilters;
import org.pgmigrate.service.migration.MigrationService;
import org.pgmigrate.service.migration.ReplicationProgress;
import org.pgmigrate.service.server.Endpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's side of each online database in this process. The online flow itself (slot, base copy under its
 * snapshot, a new attempt after a copy that did not finish, resume from the recorded slot, cutover and verification,
 * undoing what it changed on the source) is the engine's {@link OnlineMigration}, which keeps how far it got in the
 * migration's checkpoints ({@link OnlineProgress}, under {@code online/<db>/}). Here: which databases replicate in
 * this process, their counters and pause messages in {@code dbDetails}, the messages a user reads, and the
 * {@link SourceCleanups} records, which outlive the migration, with the sentences about them.
 *
 * <p>What the engine changes on the source (slot, publication, replica identities) is recorded before it is changed
 * in a {@link SourceCleanups} record per database; what a cancel here cannot undo stays there and is retried until
 * it is done. Every database message about a cleanup ends with a sentence starting with {@link SourceCleanups#CLEANUP}.
 *
 * <p>Thread-safe: base copies run on database-job threads, the rest on the migration's thread, and
 * {@link #applyCounters} on the progress flusher.
 */
final class OnlineDatabases {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineDatabases.class);

    /** One database whose changes this process captures, with the counters earlier processes reported. */
    record Live(OnlineMigration migration, DatabaseDetails base) {
    }

    /** The outcome of {@link #baseCopy}: whether the copy was done by an earlier process, and a note for the user. */
    record BaseCopy(boolean resumed, String note) {
    }

    /** What a process that (re)starts a migration does with one of its databases ({@link #resumeWaiting}). */
    enum Resume {
        /** Nothing: finished, canceling, replicating here already, cut over, or not copied yet. */
        NOTHING,
        /** A cutover made the target complete and its process died: finish it. */
        FINISH_CUTOVER,
        /** Copied: apply changes again from the recorded slot. */
        APPLY,
        /** Waiting for its cutover, but no slot is recorded: it cannot go on. */
        FAIL_WITHOUT_SLOT
    }

    private final RunControl run;
    private final WorkerContext ctx;
    private final StoredCheckpoints checkpoints;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    /** The messages that pause messages stand in for, per database, while the pause lasts. */
    private final Map<String, Optional<String>> displacedMessages = new ConcurrentHashMap<>();
    private final Map<String, String> cleanupNotes = new ConcurrentHashMap<>();

    OnlineDatabases(RunControl run, WorkerContext ctx, StoredCheckpoints checkpoints) {
        this.run = run;
        this.ctx = ctx;
        this.checkpoints = checkpoints;
    }

    /** What to do with database {@code d} at a (re)start, from its details and its online record. */
    static Resume resumeAction(DatabaseDetails d, OnlineProgress recorded, boolean liveHere) {
        if (d == null || d.migrationState().isFinished()) {
            return Resume.NOTHING;
        }
        if (recorded.phase() == OnlineProgress.Phase.CUTOVER_INTERRUPTED) {
            return Resume.FINISH_CUTOVER;
        }
        if (d.migrationState() == DatabaseMigrationState.CANCELING || liveHere
                || recorded.phase() == OnlineProgress.Phase.CUT_OVER) {
            return Resume.NOTHING;
        }
        if (recorded.phase() == OnlineProgress.Phase.APPLYING) {
            return Resume.APPLY;
        }
        return d.migrationState() == DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER ? Resume.FAIL_WITHOUT_SLOT
                : Resume.NOTHING;
    }

    /**
     * On a database-job thread: the engine's base copy under the slot's snapshot, then applying changes (or, when an
     * earlier process did the copy, applying again from its slot). Blocks for the whole copy. On any failure (a
     * cancel or a shutdown included) the engine has dropped the slot and publication; the sentence about that is
     * kept for {@link #cleanupNote}, and the exception rethrown.
     */
    BaseCopy baseCopy(Migration m, Endpoints endpoints, DatabaseTask task, RunningDatabase r) {
        String db = task.database();
        OnlineMigration migration = migration(m, endpoints, task);
        OnlineProgress recorded = migration.progress();
        ctx.workDirectory(m.migrationId(), spoolName(db)); // 0700 before the engine spools the source's rows into it
        if (recorded.phase() == OnlineProgress.Phase.APPLYING) {
            migration.start(ProgressListener.NONE, EngineMigrator.cancellation(r.signal()));
            live.put(db, new Live(migration, m.dbDetails().get(db)));
            return new BaseCopy(true, null);
        }
        String note = null;
        if (recorded.startsOver()) {
            int attempt = recorded.attempt() + 1;
            note = "The service stopped during the base copy of this database. An online base copy cannot resume "
                    + "under a new snapshot, so it started over (attempt " + attempt + "): a new replication slot, and "
                    + (recorded.targetCreated() ? "the target database dropped and copied again." : "a new copy.");
            String said = note;
            run.updateDatabase(db, d -> d.withReplication(ReplicationProgress.NONE)
                    .withState(DatabaseMigrationState.IN_PROGRESS, "Starting over", said));
            LOG.info("Database {}: {}", db, note);
        }
        live.put(db, new Live(migration, null));
        try {
            migration.start(new SlotWaitMessages(db, r.progress(), note), EngineMigrator.cancellation(r.signal()));
            return new BaseCopy(false, note);
        } catch (RuntimeException e) {
            ctx.cleanups().locked(m.migrationId(), db, () -> {
                undone(m, migration, db).ifPresent(s -> cleanupNotes.put(db, s));
                live.remove(db);
                return null;
            });
            throw e;
        }
    }

    /**
     * The copy's progress, except that while the slot's creation waits for transactions open on the source, the
     * database's message names them; it is put back once the copy begins.
     */
    private final class SlotWaitMessages extends ForwardingProgress {
        private final String db;
        private final String note;
        private volatile boolean waited;

        SlotWaitMessages(String db, ProgressListener copy, String note) {
            super(copy);
            this.db = db;
            this.note = note;
        }

        @Override
        public void slotCreationWaiting(String database, String message) {
            waited = true;
            run.updateDatabase(db, d -> d.migrationState().isFinished() ? d
                    : d.withState(d.migrationState(), d.migrationOperation(), message));
        }

        @Override
        public void phaseStarted(String database, Phase phase) {
            if (waited) {
                waited = false;
                run.updateDatabase(db, d -> d.withState(d.migrationState(), d.migrationOperation(), note));
            }
            super.phaseStarted(database, phase);
        }
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
    void resumeWaiting(Migration m, Endpoints endpoints) {
        for (String db : m.spec().dbsToMigrate()) {
            DatabaseDetails d = m.dbDetails().get(db);
            Resume action = resumeAction(d, OnlineProgress.read(checkpoints, db), live.containsKey(db));
            if (action == Resume.FINISH_CUTOVER) {
                finishInterruptedCutover(m, endpoints, db);
                continue;
            }
            if (action == Resume.NOTHING) {
                continue;
            }
            try {
                if (action == Resume.FAIL_WITHOUT_SLOT) {
                    throw new IllegalStateException("no replication slot is recorded for database " + db);
                }
                resume(m, endpoints, db, d);
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
    private void finishInterruptedCutover(Migration m, Endpoints endpoints, String db) {
        CutoverResult done = migration(m, endpoints, db).finishInterruptedCutover();
        Optional<String> settings = cutOverDone(m, db);
        String note = "The service stopped during the cutover, after every change up to the end point "
                + done.endPoint() + " was applied; the cutover was finished after the restart."
                + (done.sourceCleanupProblem() == null ? "" : " " + done.sourceCleanupProblem())
                + settings.map(n -> " " + n).orElse("");
        run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.IN_PROGRESS, "Verifying", note));
        LOG.info("Database {}: {}", db, note);
    }

    private void resume(Migration m, Endpoints endpoints, String db, DatabaseDetails stored) {
        OnlineMigration migration = migration(m, endpoints, db);
        ctx.workDirectory(m.migrationId(), spoolName(db)); // tightens a spool directory left by an older version
        migration.start(ProgressListener.NONE, new Cancellation());
        live.put(db, new Live(migration, stored));
    }

    /** The online migration of {@code db} this process runs, if it captures its changes. */
    Optional<OnlineMigration> live(String db) {
        return Optional.ofNullable(live.get(db)).map(Live::migration);
    }

    /** A new object for {@code db} of {@code m} on its checkpoints: to verify, finish or cancel what another began. */
    OnlineMigration migration(Migration m, Endpoints endpoints, String db) {
        return migration(m, endpoints, DatabaseRunner.task(ctx, m, endpoints, db));
    }

    private OnlineMigration migration(Migration m, Endpoints endpoints, DatabaseTask task) {
        String db = task.database();
        return ctx.migrator().online(task, config(m, endpoints, db), ctx.cleanups().log(m, db, endpoints.source(db)),
                checkpoints);
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
            ReplicationStats s = e.getValue().migration().stats();
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
        return d.withReplication(ReplicationProgress.of(s,
                base == null ? CdcCounters.ZERO : base.replication().counters()));
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
    Optional<String> cutOverDone(Migration m, String db) {
        Live l = live.remove(db);
        SourceUndo.Report undo = l == null ? null : l.migration().sourceUndo();
        Optional<String> cleanup = undo == null ? Optional.empty() : ctx.cleanups().sentence(undo);
        Optional<String> settings = ctx.cleanups().keepSettings(m.migrationId());
        String both = String.join(" ", Stream.of(cleanup, settings).flatMap(Optional::stream).toList());
        return both.isEmpty() ? Optional.empty() : Optional.of(both);
    }

    /** Whether {@code db} was cut over (in this process or an earlier one). */
    boolean cutOver(String db) {
        return OnlineProgress.read(checkpoints, db).phase() == OnlineProgress.Phase.CUT_OVER;
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
            OnlineMigration migration = l != null ? l.migration() : migration(m, endpoints, db);
            if (!migration.progress().sourceObjectsMayRemain()) {
                migration.close();
                return ctx.cleanups().pendingSentence(m.migrationId(), db);
            }
            try {
                migration.cancel();
            } catch (RuntimeException e) {
                // the engine logged it; what is left is in its report, and stays in the record to retry
            }
            return undone(m, migration, db);
        });
    }

    /**
     * The sentence about what the engine's cleanup undid on the source. What is left stays in the database's
     * {@link SourceCleanups} record (the engine keeps it there), with the problem noted: the retries take over.
     */
    private Optional<String> undone(Migration m, OnlineMigration migration, String db) {
        Optional<RuntimeException> failed = migration.cleanupFailure();
        if (failed.isPresent()) {
            return Optional.of(SourceCleanups.CLEANUP + failed.get().getMessage());
        }
        SourceUndo.Report report = migration.sourceUndo();
        if (report == null) {
            return Optional.empty(); // the copy failed before anything was created on the source
        }
        ctx.cleanups().attempted(m.migrationId(), db, report);
        return ctx.cleanups().sentence(report);
    }

    /**
     * The migration ended (Failed or Canceled): drops what any of its databases still has on the source. A database
     * whose endpoints cannot be resolved any more is logged with the names to drop by hand.
     */
    void cleanUp(Migration m) {
        if (m.spec().dbsToMigrate() == null || m.spec().dbsToMigrate().stream()
                .allMatch(db -> OnlineProgress.read(checkpoints, db).attempt() == 0)) {
            return; // nothing was ever created on the source
        }
        Endpoints endpoints;
        try {
            endpoints = ctx.resolver().resolve(m.key(), m.spec(), ctx.secrets().open(m.sealedSecrets(), m.migrationId()));
        } catch (ServiceException | IllegalStateException e) {
            for (String db : m.spec().dbsToMigrate()) {
                OnlineProgress recorded = OnlineProgress.read(checkpoints, db);
                if (recorded.attempt() > 0 && recorded.phase() != OnlineProgress.Phase.CUT_OVER) {
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
                e.getValue().migration().close();
            } catch (RuntimeException ex) {
                LOG.warn("Closing the change capture of {}: {}", e.getKey(), ex.toString());
            }
        }
        live.clear();
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
