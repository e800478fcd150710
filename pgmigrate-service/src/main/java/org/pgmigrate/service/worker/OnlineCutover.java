package org.pgmigrate.service.worker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.CutoverResult;
import org.pgmigrate.engine.cdc.CutoverStep;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.verify.CutoverVerification;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.server.Endpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * An online migration after its base copy, on the migration's thread: {@code WaitingForCutoverTrigger} (changes are
 * applied continuously; a database whose capture fails, or that the user cancels, ends and its slot is dropped) and
 * {@code CompletingMigration} (the cutover of the databases asked for, followed by the comparison of both sides,
 * in one call of the engine's {@link OnlineMigration#cutoverAndVerify}: drain to the source's current WAL position
 * with proof, live sequences, slot, publication and origin dropped, then the verdict into
 * {@code verificationDetails}, scope AfterCutover, where what the source wrote after the end point is a warning).
 * A cutover of some databases returns to waiting for the others. Not thread-safe.
 */
final class OnlineCutover {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineCutover.class);
    /** How long a cutover may take to apply the backlog up to the cutover point. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration POLL = Duration.ofMillis(250);
    /** The database's message when the check after its cutover passed with the warning in verificationDetails. */
    static final String WRITTEN_AFTER_END_POINT = "Verified with a warning: the source changed after the cutover's end "
            + "point (see verificationDetails).";

    private final RunControl run;
    private final WorkerContext ctx;
    private final OnlineDatabases online;
    private final VerificationRecords verifications;

    OnlineCutover(RunControl run, WorkerContext ctx, OnlineDatabases online, VerificationRecords verifications) {
        this.run = run;
        this.ctx = ctx;
        this.online = online;
        this.verifications = verifications;
    }

    /**
     * WaitingForCutoverTrigger: watches the replications until the status moves (a cutover, a cancel), the service
     * stops, or no database waits any more (then CompletingMigration settles the outcome).
     */
    void awaitTrigger(Migration m) {
        Endpoints endpoints = run.endpoints(m, MigrationStatus.CUTOVER_TRIGGER);
        if (endpoints == null) {
            return;
        }
        online.resumeWaiting(m, endpoints);
        while (!run.isShuttingDown()) {
            Migration now = ctx.store().findById(m.migrationId()).orElse(null);
            if (now == null || !now.status().equals(MigrationStatus.CUTOVER_TRIGGER)) {
                return;
            }
            watch(now, endpoints);
            if (OnlineDatabases.waiting(ctx.store().findById(m.migrationId()).orElse(now)).isEmpty()) {
                run.advance(MigrationStatus.CUTOVER_TRIGGER, x -> x.moveTo(MigrationStatus.COMPLETING));
                return;
            }
            run.pause(POLL);
        }
    }

    /**
     * CompletingMigration: cuts over the databases in {@code dbsToTriggerCutoverOn} (all when empty) that wait for
     * it, and verifies each. Returns true when the migration is ready to end (no database waits any more); false when
     * it went back to waiting for the others, the status moved, or the service stops.
     */
    boolean cutOver(Migration m) {
        Endpoints endpoints = run.endpoints(m, MigrationStatus.COMPLETING);
        if (endpoints == null) {
            return false;
        }
        online.resumeWaiting(m, endpoints);
        List<String> asked = m.spec().dbsToTriggerCutoverOn() == null || m.spec().dbsToTriggerCutoverOn().isEmpty()
                ? m.spec().dbsToMigrate() : m.spec().dbsToTriggerCutoverOn();
        for (String db : asked) {
            if (run.isShuttingDown()) {
                return false;
            }
            Migration now = ctx.store().findById(m.migrationId()).orElseThrow();
            DatabaseDetails d = now.dbDetails().get(db);
            if (d == null || d.migrationState().isFinished()) {
                continue;
            }
            if (online.cutOver(db)) {
                // cut over before a restart; verification did not finish
                cutOver(endpoints, db, online.migration(now, endpoints, db));
            } else if (d.migrationState() == DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER) {
                online.live(db).ifPresent(r -> cutOver(endpoints, db, r));
            }
        }
        if (run.isShuttingDown()) {
            return false;
        }
        Migration after = ctx.store().findById(m.migrationId()).orElseThrow();
        if (!after.status().equals(MigrationStatus.COMPLETING)) {
            return false;
        }
        if (!OnlineDatabases.waiting(after).isEmpty()) {
            LOG.info("Databases {} still wait for their cutover.", OnlineDatabases.waiting(after));
            run.advance(MigrationStatus.COMPLETING, x -> x.moveTo(MigrationStatus.CUTOVER_TRIGGER));
            return false;
        }
        return true;
    }

    private void cutOver(Endpoints endpoints, String db, OnlineMigration migration) {
        MDC.put("db", db);
        try {
            cutOverLogged(endpoints, db, migration);
        } finally {
            MDC.remove("db");
        }
    }

    /**
     * The engine's cutover followed by its comparison of both sides (only the comparison when the database was cut
     * over before a restart). Equal ends the database Succeeded. A difference on tables and sequences that the source
     * wrote after the end point is expected (those writes are not migrated): Succeeded, with a warning naming them.
     * Any other difference ends it Failed.
     */
    private void cutOverLogged(Endpoints endpoints, String db, OnlineMigration migration) {
        boolean cutOverEarlier = online.cutOver(db);
        if (!cutOverEarlier) {
            run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.IN_PROGRESS, "Cutting over", x.message()));
            LOG.info("Database {}: cutover starts.", db);
        }
        DatabaseDetails base = online.base(db);
        StopSignal stop = new StopSignal();
        run.onShutdown(() -> stop.stop(StopSignal.Reason.SHUTDOWN));
        OnlineMigration.VerifiedCutover done;
        try (CutoverStepDisplay display = new CutoverStepDisplay(run, db)) {
            done = migration.cutoverAndVerify(DRAIN_TIMEOUT, new OnlineMigration.CutoverProgress() {
                @Override
                public void stepStarted(CutoverStep step) {
                    display.show(step);
                }

                @Override
                public void cutOver(CutoverResult result) {
                    display.close();
                    cutOverDone(db, base, result);
                }

                @Override
                public void verifying() {
                    run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.IN_PROGRESS, "Verifying",
                            x.message()));
                }
            }, ctx.limits().tableJobs(), EngineMigrator.cancellation(stop));
        } catch (EngineException e) {
            if (online.cutOver(db)) {
                if (!stop.isStopped()) {
                    run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.FAILED, "Failed", "The cutover "
                            + "completed, but the verification after it could not run: " + e.getMessage()));
                }
                return; // a shutdown: verified again at the next start
            }
            if (migration.stats().failure() != null) {
                fail(endpoints, db, "Cutover failed: " + e.getMessage());
            } else {
                LOG.warn("Database {}: cutover did not finish: {}", db, e.getMessage());
                run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER,
                        "Replicating changes", "The last cutover did not finish: " + e.getMessage()));
            }
            return;
        } finally {
            if (cutOverEarlier) {
                migration.close();
            }
        }
        record(db, done.verification());
    }

    /** The target is complete and the source cleaned up: the counters, and what is left to say about the source. */
    private void cutOverDone(String db, DatabaseDetails base, CutoverResult result) {
        Optional<String> sourceNote = online.cutOverDone(ctx.store().findById(run.migrationId()).orElseThrow(), db);
        String leftover = Stream.of(Optional.ofNullable(result.sourceCleanupProblem()), sourceNote)
                .flatMap(Optional::stream).collect(Collectors.joining(" "));
        run.updateDatabase(db, x -> {
            DatabaseDetails y = OnlineDatabases.counters(x, base, result.finalStats()).withOperation("Verifying");
            return leftover.isEmpty() ? y : y.withState(y.migrationState(), y.migrationOperation(), leftover);
        });
        LOG.info("Database {}: cut over at source WAL position {} (applied up to {}) in {} ms; {} sequences set from "
                + "live source values.", db, result.endPoint(), result.appliedPoint(), result.took().toMillis(),
                result.sequencesSynchronized());
    }

    /** The verification's verdict into verificationDetails and the database's state. */
    private void record(String db, CutoverVerification verdict) {
        verifications.afterCutover(db, verdict);
        if (verdict.passed()) {
            Optional<String> warning = verdict.warning();
            run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.SUCCEEDED, "Completed", warning.isEmpty()
                    ? x.message() : joined(x.message(), WRITTEN_AFTER_END_POINT)));
            if (warning.isPresent()) {
                LOG.warn("Database {}: cut over and verified; {}", db, warning.get());
            } else {
                LOG.info("Database {}: cut over and verified ({} tables equal).", db, verdict.report().tables().size());
            }
        } else {
            String message = "The cutover completed, but the verification after it found differences that no write "
                    + "on the source after the cutover's end point explains: " + String.join("; ", verdict.failures())
                    + "." + verdict.warning().map(w -> " " + w).orElse("");
            LOG.error("Database {}: {}", db, message);
            run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.FAILED, "Failed", message));
        }
    }

    private static String joined(String message, String sentence) {
        return message == null || message.isBlank() ? sentence : message + " " + sentence;
    }

    /** Watches each database: a capture failure fails it, a cancel of it cancels it; both drop its slot. */
    private void watch(Migration m, Endpoints endpoints) {
        for (String db : m.spec().dbsToMigrate()) {
            DatabaseDetails d = m.dbDetails().get(db);
            if (d == null || d.migrationState().isFinished()) {
                continue;
            }
            if (d.migrationState() == DatabaseMigrationState.CANCELING) {
                Optional<String> problem = online.cancel(m, endpoints, db);
                run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.CANCELED, "Canceled",
                        OnlineDatabases.canceledMessage(db, problem)));
                LOG.info("Database {} canceled; the target was left as it is.", db);
                continue;
            }
            String failure = online.live(db).map(r -> r.stats().failure()).orElse(null);
            if (failure != null) {
                fail(endpoints, db, "Change capture stopped: " + failure);
            }
        }
    }

    private void fail(Endpoints endpoints, String db, String message) {
        Migration m = ctx.store().findById(run.migrationId()).orElseThrow();
        Optional<String> cleanup = online.cancel(m, endpoints, db);
        String full = message + " The target database is left as it is. This migration cannot resume it: fix the"
                + " cause and create a new migration for it." + cleanup.map(c -> " " + c).orElse("");
        LOG.error("Database {}: {}", db, full);
        run.updateDatabase(db, x -> x.withState(DatabaseMigrationState.FAILED, "Failed", full));
    }
}
