package org.pgmigrate.service.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.SupportedVersions;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationMode;
import org.pgmigrate.service.migration.MigrationService;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.migration.SecretParameters;
import org.pgmigrate.service.migration.ServerMetadata;
import org.pgmigrate.service.migration.ValidationDetails;
import org.pgmigrate.service.server.Endpoints;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.store.Lease;
import org.pgmigrate.service.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Drives one migration through the worker's side of the state machine (spec 2.11, issues 3 and 5): prerequisites,
 * premigration validation, the data migration of each database on the shared database executor, completion, and
 * cancel. Every status change is
 * a conditional atomic update: if the user changed the status meanwhile (a cancel, a new window), the run notices
 * and follows the new status instead of overwriting it.
 *
 * <p>Runs on one migration thread; {@link #flush}, {@link #cancelRequested} and {@link #shutdown} are called from
 * other threads and are thread-safe.
 */
final class MigrationRun implements Runnable, RunControl {

    private static final Logger LOG = LoggerFactory.getLogger(MigrationRun.class);

    private final String migrationId;
    private final Lease lease;
    /** The node's context; {@link #ctx} is the same with this run's lease on every write. */
    private final WorkerContext shared;
    private final WorkerContext ctx;
    private final StoredCheckpoints checkpoints;
    private final PatientWrites writes;
    private final Map<String, RunningDatabase> running = new ConcurrentHashMap<>();
    private final DatabaseRunner databases;
    private final OnlineDatabases online;
    private final OnlineCutover cutover;
    private final ReplicationSetupStep replicationSetup;
    private final StopSignal roles = new StopSignal();
    private final StopSignal lifetime = new StopSignal();
    private final Object wakeup = new Object();
    private volatile boolean shuttingDown;
    private volatile boolean leaseLost;
    private volatile Instant leaseRenewedAt;
    private volatile Migration lastSeen;

    MigrationRun(Lease lease, WorkerContext shared) {
        this.migrationId = lease.migrationId();
        this.lease = lease;
        this.shared = shared;
        this.ctx = shared.fencedBy(lease, this::leaseLost);
        this.leaseRenewedAt = shared.clock().instant();
        this.writes = new PatientWrites(ctx.store(), () -> shuttingDown);
        this.checkpoints = new StoredCheckpoints(ctx.store(), writes, migrationId);
        this.online = new OnlineDatabases(this, ctx, checkpoints);
        VerificationRecords verifications = new VerificationRecords(this);
        this.databases = new DatabaseRunner(this, ctx, checkpoints, online, verifications);
        this.cutover = new OnlineCutover(this, ctx, online, verifications);
        this.replicationSetup = new ReplicationSetupStep(this, ctx);
    }

    /**
     * Whether a worker has something to do for {@code m} now: its substate needs one, or it waits for a logical
     * replication setup the user asked for (the worker polls the source until the settings are live).
     */
    static boolean hasWork(Migration m) {
        return m.status().subState().needsWorker() || m.status().equals(MigrationStatus.LOGICAL_REPLICATION_SETUP)
                && m.spec().setupLogicalReplicationOnSourceDbIfNeeded();
    }

    @Override
    public String migrationId() {
        return migrationId;
    }

    @Override
    public void run() {
        Migration start = ctx.store().findById(migrationId).orElse(null);
        if (start == null) {
            return;
        }
        MDC.put("migration", start.key().name());
        try {
            loopWaitingOutTheStore();
        } catch (RuntimeException e) {
            if (leaseLost) {
                LOG.warn("Migration {} stopped on this node without writing anything more: its lease (fencing token {})"
                        + " was lost ({}).", start.key().name(), lease.token(), e.toString());
            } else {
                LOG.error("Migration {} stopped on an unexpected error; it is marked Failed.", start.key().name(), e);
                failAll("Internal error in pgmigrate (details in the service log): " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        } finally {
            try {
                endReplications();
                ctx.removeWorkDirectoryIfEmpty(migrationId);
                if (!leaseLost) {
                    shared.store().release(lease);
                }
            } finally {
                MDC.remove("migration");
            }
        }
    }

    /**
     * Online: a migration that ended (Failed, Canceled) must leave no slot on the source; one that goes on (a
     * shutdown) keeps its slots, publications and spools to resume at the next start.
     */
    private void endReplications() {
        try {
            Migration m = ctx.store().findById(migrationId).orElse(null);
            if (m != null && !m.isActive() && m.spec().migrationMode() == MigrationMode.ONLINE && !shuttingDown) {
                online.cleanUp(m);
            }
        } catch (StoreUnavailableException e) {
            LOG.warn("Cannot read the migration to end its replications ({}); they are kept for the next start.",
                    e.getMessage());
        } finally {
            online.closeAll();
        }
    }

    /**
     * The state machine, restarted after a pause whenever the store is unavailable: a store that cannot be read or
     * written for a while pauses the migration, never fails it (which would drop its replication slots).
     */
    private void loopWaitingOutTheStore() {
        while (true) {
            try {
                loop();
                return;
            } catch (StoreUnavailableException e) {
                if (shuttingDown) {
                    return;
                }
                LOG.error("{} The migration waits and goes on when it is back.", e.getMessage());
                pause(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * A write was refused because this run's lease is no longer the migration's (this node was paused past its
     * expiry and another node took the migration over): stop as at a shutdown, keeping every state, and write
     * nothing more (every write would be refused anyway). The new holder resumes from the checkpoints.
     */
    void leaseLost() {
        if (!leaseLost) {
            leaseLost = true;
            LOG.warn("Migration {}: this node ({}) lost its lease (fencing token {}); another node runs it now. "
                    + "Stopping here without writing.", migrationId, lease.owner(), lease.token());
        }
        shutdown();
    }

    /** Whether this run stopped because it lost its lease. */
    boolean lostLease() {
        return leaseLost;
    }

    /** The service is stopping: stop the engine, keep the state, so that the next start resumes. */
    void shutdown() {
        shuttingDown = true;
        roles.stop(StopSignal.Reason.SHUTDOWN);
        lifetime.stop(StopSignal.Reason.SHUTDOWN);
        running.values().forEach(r -> r.signal().stop(StopSignal.Reason.SHUTDOWN));
        wake();
    }

    /** A cancel was requested: stop the databases that the stored migration marks for it. */
    void cancelRequested() {
        ctx.store().findById(migrationId).ifPresent(this::stopCanceledDatabases);
        wake();
    }

    /** The migration changed (a PATCH): a run that polls looks again now. */
    void wake() {
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    /** Waits up to {@code d}, or until {@link #wake} or a shutdown. */
    @Override
    public void pause(Duration d) {
        synchronized (wakeup) {
            if (shuttingDown) {
                return;
            }
            try {
                wakeup.wait(Math.max(1, d.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                shutdown();
            }
        }
    }

    @Override
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /** Whether this run replicates {@code db} now (its slot is in use: no retry may drop it). */
    boolean replicates(String db) {
        return online.live(db).isPresent();
    }

    /** Runs {@code action} when the service stops (at once if it is stopping). */
    @Override
    public void onShutdown(Runnable action) {
        lifetime.onStop(action);
    }

    /**
     * Writes the running databases' live counters to the store, notices what other nodes changed (a cutover or a
     * cancel PATCHed to another node reaches this run through the store), and renews the lease. Called every second.
     */
    void flush() {
        if (leaseLost) {
            return;
        }
        if (!running.isEmpty() || online.anyLive()) {
            ctx.store().update(migrationId, m -> {
                Migration x = m;
                for (Map.Entry<String, RunningDatabase> e : running.entrySet()) {
                    // an online database whose copy is done no longer takes the copy's counters
                    x = x.withDatabase(e.getKey(), d -> d.migrationState().isFinished()
                            || d.migrationState() == DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER ? d
                            : e.getValue().progress().applyTo(d));
                }
                return online.applyCounters(x);
            }).ifPresent(this::observe);
        } else {
            ctx.store().findById(migrationId).ifPresent(this::observe);
        }
        Instant now = ctx.clock().instant();
        if (Duration.between(leaseRenewedAt, now).compareTo(ctx.leaseDuration().dividedBy(3)) > 0) {
            if (!shared.store().renew(lease, ctx.leaseDuration())) {
                leaseLost();
                return;
            }
            leaseRenewedAt = now;
        }
    }

    /**
     * The stored migration as of now: databases marked for cancel are stopped, and a status or definition changed
     * by a request (on this node or another) wakes the run.
     */
    private void observe(Migration m) {
        stopCanceledDatabases(m);
        Migration before = lastSeen;
        lastSeen = m;
        if (before != null && (!before.status().equals(m.status()) || !before.spec().equals(m.spec()))) {
            wake();
        }
    }

    private void loop() {
        while (!shuttingDown) {
            Migration m = ctx.store().findById(migrationId).orElse(null);
            if (m == null || !m.isActive()) {
                return;
            }
            switch (m.status().subState()) {
                case PERFORMING_PRE_REQUISITE_STEPS -> prerequisites(m, MigrationStatus.PREREQUISITES);
                case VALIDATION_IN_PROGRESS -> validate(m);
                case MIGRATING_DATA -> migrateData(m);
                case WAITING_FOR_CUTOVER_TRIGGER -> cutover.awaitTrigger(m);
                case COMPLETING_MIGRATION -> {
                    if (m.spec().migrationMode() != MigrationMode.ONLINE || cutover.cutOver(m)) {
                        complete();
                    }
                }
                case CANCELING_REQUESTED_DB_MIGRATIONS -> finishCancel();
                case WAITING_FOR_LOGICAL_REPLICATION_SETUP_REQUEST_ON_SOURCE_DB -> {
                    if (!m.spec().setupLogicalReplicationOnSourceDbIfNeeded()) {
                        return;
                    }
                    replicationSetup.awaitLive(m);
                }
                default -> {
                    return; // waiting for a person or for time: nothing to do now
                }
            }
        }
    }

    /**
     * PerformingPreRequisiteSteps, and the end of a passed validation ({@code expected} is then VALIDATING): the
     * window, the servers, and the databases on each side decide between waiting for an overwrite confirmation,
     * migrating, or failing. A migration that validates and has no validation result yet goes to validation first.
     */
    private void prerequisites(Migration m, MigrationStatus expected) {
        Instant now = ctx.clock().instant();
        Instant end = m.spec().migrationWindowEndTimeInUtc();
        if (end != null && now.isAfter(end)) {
            fail(expected, "The migration window ended at " + end + " before the data migration could "
                    + "start. Create the migration again with a new window.");
            return;
        }
        Endpoints endpoints = endpoints(m, expected);
        if (endpoints == null) {
            return;
        }
        List<String> dbs = databasesToMigrate(m);
        if (dbs.isEmpty()) {
            advance(expected, x -> x.moveTo(MigrationStatus.CANCELED_DONE));
            return;
        }
        if (PremigrationValidation.pending(m)) {
            // Validation connects, authenticates and checks the databases itself, and reports failures as checks.
            advance(expected, x -> x.moveTo(MigrationStatus.VALIDATING));
            return;
        }
        Prerequisites.Findings f;
        try {
            f = ctx.prerequisites().check(endpoints.source(), endpoints.target(), dbs);
        } catch (EngineException e) {
            fail(expected, e.getMessage());
            return;
        }
        ServerMetadata sourceMetadata = ServerMetadata.of(f.sourceVersion(), f.sourceStorageBytes(),
                ctx.resolver().registeredSource(m.spec()).map(RegisteredServer::location).orElse(null));
        ServerMetadata targetMetadata = ServerMetadata.of(f.targetVersion(), f.targetStorageBytes(),
                ctx.resolver().registeredTarget(m.key()).map(RegisteredServer::location).orElse(m.location()));
        advance(expected, x -> x.withServerMetadata(sourceMetadata, targetMetadata));
        // Before anything is written (roles, the source's wal_level, a database): versions pgmigrate cannot migrate.
        Optional<String> unsupported = SupportedVersions.problem(f.sourceServer(), endpoints.source().address(),
                f.targetServer(), endpoints.target().address());
        if (unsupported.isEmpty() && m.spec().migrationMode() == MigrationMode.ONLINE) {
            unsupported = SupportedVersions.onlineSourceProblem(f.sourceServer(), endpoints.source().address());
        }
        if (unsupported.isPresent()) {
            fail(expected, unsupported.get());
            return;
        }
        if (f.sourceServer().major() > f.targetServer().major()) {
            fail(expected, "The target server " + endpoints.target().address() + " runs PostgreSQL "
                    + f.targetVersion() + ", older than the source's " + f.sourceVersion() + ". Migrate to a target of the "
                    + "same or a newer major version.");
            return;
        }
        if (!f.missingOnSource().isEmpty()) {
            String message = "Source database missing: " + String.join(", ", f.missingOnSource()) + " not found on the "
                    + "source server " + endpoints.source().address() + ". Check dbsToMigrate (names are case-sensitive).";
            failDatabases(expected, message, db -> f.missingOnSource().contains(db)
                    ? "Database '" + db + "' does not exist on the source server " + endpoints.source().address()
                            + ". Check the name (it is case-sensitive)."
                    : "Not migrated: another database of this migration is missing on the source.");
            return;
        }
        if (!f.existingOnTarget().isEmpty() && !m.spec().overwriteDbsInTarget()) {
            LOG.info("Databases {} exist on the target; waiting for overwriteDbsInTarget=True.", f.existingOnTarget());
            advance(expected, x -> {
                Migration y = x.moveTo(MigrationStatus.OVERWRITE_CONFIRMATION);
                for (String db : f.existingOnTarget()) {
                    y = y.withDatabase(db, d -> d.withState(DatabaseMigrationState.IN_PROGRESS, "Waiting for overwrite "
                            + "confirmation", "Database '" + db + "' already exists on the target server "
                            + endpoints.target().address() + ". Set overwriteDbsInTarget to True (pgmigrate migration update "
                            + "--overwrite-dbs) to replace it, or cancel the migration."));
                }
                return y;
            });
            return;
        }
        if (m.spec().migrationMode() == MigrationMode.ONLINE && !replicationSetup.ready(m, expected, endpoints, dbs)) {
            return;
        }
        advance(expected, x -> {
            Migration y = x.moveTo(MigrationStatus.MIGRATING);
            for (String db : dbs) {
                y = y.withDatabase(db, d -> d.withState(DatabaseMigrationState.IN_PROGRESS, "Queued", null));
            }
            return y;
        });
    }

    /**
     * ValidationInProgress: runs every check, stores validationDetails, then ends the migration (Validate, or a
     * failed check) or carries on with the prerequisites (ValidateAndMigrate). Nothing is written to either server,
     * so a service killed (or stopped) here simply validates again at its next start.
     */
    private void validate(Migration m) {
        Endpoints endpoints = endpoints(m, MigrationStatus.VALIDATING);
        if (endpoints == null) {
            return;
        }
        ValidationDetails details;
        try {
            // The skips as the migration will read them from the target's parameters when its databases start.
            details = ctx.validation().validate(m, endpoints, databasesToMigrate(m),
                    MigrationTuning.of(ctx.resolver().registeredTarget(m.key()), ctx.limits()));
        } catch (EngineException e) {
            fail(MigrationStatus.VALIDATING, "Premigration validation could not run: " + e.getMessage());
            return;
        }
        if (shuttingDown) {
            return; // validated again at the next start
        }
        LOG.info("Premigration validation ended {}.", details.status());
        if (advance(MigrationStatus.VALIDATING, x -> PremigrationValidation.record(x, details))
                && PremigrationValidation.proceeds(m, details)) {
            prerequisites(ctx.store().findById(migrationId).orElseThrow(), MigrationStatus.VALIDATING);
        }
    }

    private void migrateData(Migration m) {
        Endpoints endpoints = endpoints(m, MigrationStatus.MIGRATING);
        if (endpoints == null) {
            return;
        }
        boolean skipRoles = MigrationTuning.of(ctx.resolver().registeredTarget(m.key()), ctx.limits()).skipRoles();
        if (skipRoles && m.spec().migrateRoles()) {
            LOG.info("Roles are not migrated: the target server's parameter {} is on.", MigrationTuning.SKIP_ROLES);
        }
        if (m.spec().migrateRoles() && !skipRoles && !checkpoints.isDone("service/roles")) {
            try {
                ctx.migrator().migrateRoles(endpoints.source(), endpoints.target(), roles);
                checkpoints.markDone("service/roles");
            } catch (EngineException e) {
                if (!shuttingDown) {
                    fail(MigrationStatus.MIGRATING, "Roles could not be migrated: " + e.getMessage());
                }
                return;
            }
        }
        boolean isOnline = m.spec().migrationMode() == MigrationMode.ONLINE;
        if (isOnline) {
            online.resumeWaiting(m, endpoints); // databases copied before a restart
            m = ctx.store().findById(migrationId).orElse(m);
        }
        List<Future<?>> jobs = new ArrayList<>();
        for (String db : databasesToMigrate(m)) {
            DatabaseDetails d = m.dbDetails().get(db);
            if (d != null && d.migrationState() == DatabaseMigrationState.CANCELING) {
                databases.markCanceled(db);
                continue;
            }
            if (d != null && d.migrationState() == DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER) {
                continue; // online, copied: its changes are applied already
            }
            Migration snapshot = m;
            RunningDatabase r = new RunningDatabase(new StopSignal(), new DatabaseProgress(ctx.metrics()));
            running.put(db, r);
            if (shuttingDown) {
                r.signal().stop(StopSignal.Reason.SHUTDOWN);
            }
            jobs.add(ctx.databaseJobs().submit(() -> databases.run(snapshot, endpoints, db, r)));
        }
        stopCanceledDatabases(ctx.store().findById(migrationId).orElse(m));
        try {
            for (Future<?> job : jobs) {
                job.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown();
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException("A database job failed unexpectedly: " + e.getCause(), e.getCause());
        } finally {
            running.clear();
        }
        if (!shuttingDown) {
            // online: databases whose copy is done now wait for the cutover; the migration with them
            advance(MigrationStatus.MIGRATING, x -> x.moveTo(isOnline && !OnlineDatabases.waiting(x).isEmpty()
                    ? MigrationStatus.CUTOVER_TRIGGER : MigrationStatus.COMPLETING));
        }
    }

    /** Offline: every database is done; the migration ends Succeeded, Failed or Canceled by their outcomes. */
    private void complete() {
        advance(MigrationStatus.COMPLETING, MigrationRun::completed);
        Migration done = ctx.store().findById(migrationId).orElseThrow();
        LOG.info("Migration {} ended {}.", done.key().name(), done.status());
    }

    /**
     * How a migration whose databases are all done ends: Failed naming each failed database with its message, else
     * Succeeded when any database succeeded, else Canceled.
     */
    static Migration completed(Migration m) {
        List<String> failures = new ArrayList<>();
        boolean anySucceeded = false;
        for (DatabaseDetails d : m.dbDetails().values()) {
            if (d.migrationState() == DatabaseMigrationState.FAILED) {
                failures.add(d.databaseName() + ": " + d.message());
            }
            anySucceeded |= d.migrationState() == DatabaseMigrationState.SUCCEEDED;
        }
        if (!failures.isEmpty()) {
            return m.fail(String.join("; ", failures));
        }
        return m.moveTo(anySucceeded ? MigrationStatus.SUCCEEDED_DONE : MigrationStatus.CANCELED_DONE);
    }

    /** The whole migration was canceled: nothing runs any more; mark what is unfinished Canceled. */
    private void finishCancel() {
        Migration current = ctx.store().findById(migrationId).orElseThrow();
        Map<String, String> notes = new java.util.HashMap<>();
        if (current.spec().migrationMode() == MigrationMode.ONLINE) {
            // A leaked slot holds source WAL forever: drop each unfinished database's slot and publication now.
            Endpoints endpoints = endpoints(current, MigrationStatus.CANCELING);
            if (endpoints == null) {
                return;
            }
            for (String db : current.spec().dbsToMigrate()) {
                DatabaseDetails d = current.dbDetails().get(db);
                if (d == null || !d.migrationState().isFinished()) {
                    notes.put(db, OnlineDatabases.canceledMessage(db, online.cancel(current, endpoints, db)));
                }
            }
        }
        advance(MigrationStatus.CANCELING, m -> {
            Migration x = m;
            for (String db : m.spec().dbsToMigrate()) {
                x = x.withDatabase(db, d -> d.migrationState().isFinished() ? d
                        : d.withState(DatabaseMigrationState.CANCELED, "Canceled",
                                notes.getOrDefault(db, String.format(MigrationService.CANCEL_NOTE, db))));
            }
            return x.moveTo(MigrationStatus.CANCELED_DONE);
        });
        LOG.info("Migration canceled; the target was left as it is.");
    }

    @Override
    public Endpoints endpoints(Migration m, MigrationStatus expected) {
        try {
            SecretParameters secrets = ctx.secrets().open(m.sealedSecrets(), m.migrationId());
            return ctx.resolver().resolve(m.key(), m.spec(), secrets);
        } catch (ServiceException | IllegalStateException e) {
            fail(expected, e.getMessage());
            return null;
        }
    }

    /** dbsToMigrate without the databases already finished (succeeded, failed or canceled). */
    private static List<String> databasesToMigrate(Migration m) {
        List<String> dbs = new ArrayList<>();
        for (String db : m.spec().dbsToMigrate()) {
            DatabaseDetails d = m.dbDetails().get(db);
            if (d == null || !d.migrationState().isFinished()) {
                dbs.add(db);
            }
        }
        return dbs;
    }

    private void stopCanceledDatabases(Migration m) {
        boolean whole = m.status().equals(MigrationStatus.CANCELING);
        for (Map.Entry<String, RunningDatabase> e : running.entrySet()) {
            DatabaseDetails d = m.dbDetails().get(e.getKey());
            if (whole || d != null && d.migrationState() == DatabaseMigrationState.CANCELING) {
                e.getValue().signal().stop(StopSignal.Reason.CANCELED_BY_USER);
            }
        }
    }

    /** Applies {@code change} if the migration is still {@code expected}; false if the status moved meanwhile. */
    @Override
    public boolean advance(MigrationStatus expected, UnaryOperator<Migration> change) {
        AtomicBoolean applied = new AtomicBoolean();
        writes.update(migrationId, m -> {
            if (!m.status().equals(expected)) {
                return m;
            }
            applied.set(true);
            return change.apply(m);
        });
        return applied.get();
    }

    /** Updates the migration, whatever its status. */
    @Override
    public void updateMigration(UnaryOperator<Migration> change) {
        writes.update(migrationId, change);
    }

    /** Updates one database's details, whatever the migration's status. */
    @Override
    public void updateDatabase(String db, UnaryOperator<DatabaseDetails> change) {
        writes.update(migrationId, m -> m.withDatabase(db, change));
    }

    @Override
    public void fail(MigrationStatus expected, String message) {
        failDatabases(expected, message, db -> message);
    }

    private void failDatabases(MigrationStatus expected, String message, UnaryOperator<String> perDatabase) {
        advance(expected, m -> failed(m, message, perDatabase));
        LOG.error("Migration failed: {}", message);
    }

    private void failAll(String message) {
        ctx.store().update(migrationId, m -> m.isActive() ? failed(m, message, db -> message) : m);
    }

    private static Migration failed(Migration m, String message, UnaryOperator<String> perDatabase) {
        Migration x = m;
        if (m.spec().dbsToMigrate() != null) {
            for (String db : m.spec().dbsToMigrate()) {
                x = x.withDatabase(db, d -> d.migrationState().isFinished() ? d
                        : d.withState(DatabaseMigrationState.FAILED, "Failed", perDatabase.apply(db)));
            }
        }
        return x.fail(message);
    }
}
