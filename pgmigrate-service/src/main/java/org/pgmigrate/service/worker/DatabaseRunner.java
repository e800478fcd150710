package org.pgmigrate.service.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationFilters;
import org.pgmigrate.service.migration.MigrationMode;
import org.pgmigrate.service.migration.MigrationService;
import org.pgmigrate.service.migration.VerificationDetails;
import org.pgmigrate.service.server.Endpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one database of a migration on the engine, on a database-job thread, and records its outcome in
 * {@code dbDetails}: Succeeded (online: WaitingForCutoverTrigger once the base copy is done and changes are being
 * applied); Failed with the engine's message; Canceled (a user's cancel) with the note that the target is left as it
 * is; or, on a service shutdown, left InProgress to resume from its checkpoints (online: to copy again). The engine's
 * verification goes into {@code verificationDetails} (scope Copy, or BaseCopy online). Thread-safe (stateless between calls).
 */
final class DatabaseRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseRunner.class);

    private final RunControl run;
    private final WorkerContext ctx;
    private final StoredCheckpoints checkpoints;
    private final OnlineDatabases online;
    private final VerificationRecords verifications;

    DatabaseRunner(RunControl run, WorkerContext ctx, StoredCheckpoints checkpoints, OnlineDatabases online,
                   VerificationRecords verifications) {
        this.run = run;
        this.ctx = ctx;
        this.checkpoints = checkpoints;
        this.online = online;
        this.verifications = verifications;
    }

    void run(Migration m, Endpoints endpoints, String db, RunningDatabase r) {
        MDC.put("migration", m.key().name());
        MDC.put("db", db);
        Instant started = ctx.clock().instant();
        Path workDir = workDir(ctx, m, db);
        try {
            if (r.signal().isStopped()) {
                finishStopped(db, r);
                return;
            }
            ctx.workDirectory(m.migrationId(), slug(db)); // 0700 before the engine writes the schema archive into it
            boolean resuming = checkpoints.isDone(startedKey(db));
            checkpoints.markDone(startedKey(db));
            run.updateDatabase(db, d -> d.started(started).withState(DatabaseMigrationState.IN_PROGRESS,
                    resuming ? "Resuming" : "Starting", null));
            LOG.info("{} database {} ({} to {}).", resuming ? "Resuming" : "Migrating", db,
                    endpoints.source().address(), endpoints.target().address());
            // On a resume the engine finds its own checkpoint of the target database it created and keeps it.
            DatabaseTask task = task(ctx, m, endpoints, db);
            if (m.spec().migrationMode() == MigrationMode.ONLINE) {
                // the base copy under the slot's snapshot; then changes are applied until the cutover
                OnlineDatabases.BaseCopy copy = online.baseCopy(m, endpoints, task, r);
                if (!copy.resumed()) {
                    verifications.copy(db, r.progress().verification(), VerificationDetails.SCOPE_BASE_COPY);
                }
                run.updateDatabase(db, d -> (copy.resumed() ? d : r.progress().applyTo(d))
                        .withState(DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER, "Replicating changes", copy.note()));
                deleteQuietly(workDir);
                return;
            }
            ctx.migrator().migrateDatabase(task, r.progress(), checkpoints, r.signal());
            verifications.copy(db, r.progress().verification(), VerificationDetails.SCOPE_COPY);
            run.updateDatabase(db, d -> r.progress().applyTo(d).withState(DatabaseMigrationState.SUCCEEDED, "Completed", null));
            LOG.info("Database {} migrated in {} s.", db, Duration.between(started, ctx.clock().instant()).toSeconds());
            deleteQuietly(workDir);
        } catch (EngineException e) {
            if (r.signal().isStopped()) {
                finishStopped(db, r);
            } else {
                LOG.error("Database {} failed: {}", db, e.getMessage());
                verifications.copy(db, r.progress().verification(), m.spec().migrationMode() == MigrationMode.ONLINE
                        ? VerificationDetails.SCOPE_BASE_COPY : VerificationDetails.SCOPE_COPY);
                String message = e.getMessage() + advice(e) + online.cleanupNote(db).map(n -> " " + n).orElse("");
                run.updateDatabase(db, d -> r.progress().applyTo(d).withState(DatabaseMigrationState.FAILED, "Failed",
                        message));
            }
        } catch (UncheckedIOException e) {
            LOG.error("Database {} failed: {}", db, e.getMessage());
            run.updateDatabase(db, d -> r.progress().applyTo(d).withState(DatabaseMigrationState.FAILED, "Failed",
                    "Cannot write this database's files under the service's data dir: " + e.getMessage() + ". Make "
                    + "room on its disk or fix its permissions, then migrate this database again."));
        } catch (RuntimeException e) {
            LOG.error("Database {} failed on an unexpected error.", db, e);
            run.updateDatabase(db, d -> r.progress().applyTo(d).withState(DatabaseMigrationState.FAILED, "Failed",
                    "Internal error in pgmigrate (details in the service log): " + e));
        } finally {
            MDC.remove("db");
            MDC.remove("migration");
        }
    }

    /** Database {@code db} of {@code m} as the engine takes it, with the target's parameters in effect now. */
    static DatabaseTask task(WorkerContext ctx, Migration m, Endpoints endpoints, String db) {
        MigrationTuning tuning = MigrationTuning.of(ctx.resolver().registeredTarget(m.key()), ctx.limits());
        return new DatabaseTask(db, endpoints.source(db), endpoints.target(db), m.spec().overwriteDbsInTarget(),
                m.spec().migrateRoles() && !tuning.skipRoles(), tuning, workDir(ctx, m, db),
                MigrationFilters.of(m.spec().filters()));
    }

    private static Path workDir(WorkerContext ctx, Migration m, String db) {
        return ctx.workRoot().resolve(m.migrationId()).resolve(slug(db));
    }

    /** What the service's user can do about an engine error, in the service's terms; empty if nothing to add. */
    static String advice(EngineException e) {
        if (e.error() == EngineError.TARGET_DATABASE_EXISTS) {
            // Prerequisites catch this before the copy; it lands here when the database appeared in between.
            return " Set overwriteDbsInTarget to True (pgmigrate migration update --overwrite-dbs) to replace it, or"
                    + " drop it or choose another target database. Its current contents would be lost.";
        }
        return "";
    }

    /** Marks a database that was canceled before it started. */
    void markCanceled(String db) {
        run.updateDatabase(db, d -> d.withState(DatabaseMigrationState.CANCELED, "Canceled",
                String.format(MigrationService.CANCEL_NOTE, db)));
    }

    private void finishStopped(String db, RunningDatabase r) {
        if (r.signal().reason() == StopSignal.Reason.SHUTDOWN) {
            online.cleanupNote(db); // started over at the next start; its record stays until then
            run.updateDatabase(db, d -> d.migrationState().isFinished() ? d : r.progress().applyTo(d));
            LOG.info("Database {} stopped for the service shutdown; it resumes from its checkpoints at the next start.", db);
        } else {
            String message = String.format(MigrationService.CANCEL_NOTE, db)
                    + online.cleanupNote(db).map(n -> " " + n).orElse("");
            run.updateDatabase(db, d -> r.progress().applyTo(d).withState(DatabaseMigrationState.CANCELED, "Canceled",
                    message));
            LOG.info("Database {} canceled; the target was left as it is.", db);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("Cannot remove {}: {}", dir, e.toString());
        }
    }

    /** A file-name-safe, collision-free directory name for a database's files under the migration's work dir. */
    static String slug(String db) {
        return db.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + Integer.toHexString(db.hashCode());
    }

    private static String startedKey(String db) {
        return "service/started/" + db;
    }
}
