package org.pgmigrate.service.worker;

import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;

/**
 * {@link DatabaseMigrator} on the engine: one offline {@link DatabaseJob} per database, with verification and
 * ANALYZE, the node's table and index jobs, and a {@link Cancellation} that the stop signal triggers. Thread-safe.
 */
final class EngineMigrator implements DatabaseMigrator {

    private final Engine engine;

    EngineMigrator(EngineSettings settings) {
        this.engine = new Engine(settings);
    }

    @Override
    public DatabaseReport migrateDatabase(DatabaseTask task, ProgressListener progress, CheckpointStore checkpoints,
                                          StopSignal stop) {
        DatabaseJob job = new DatabaseJob(task.source(), task.target(),
                CopyOptions.defaults().withJobs(task.tableJobs(), task.indexJobs()), task.dropIfExists(),
                task.keepOwnership(), true, true, task.workDir(), null);
        return engine.migrateDatabase(job, progress, checkpoints, cancellation(stop));
    }

    @Override
    public void migrateRoles(PgEndpoint source, PgEndpoint target, StopSignal stop) {
        engine.migrateRoles(source, target, cancellation(stop));
    }

    private static Cancellation cancellation(StopSignal stop) {
        Cancellation cancel = new Cancellation();
        stop.onStop(() -> cancel.cancel(stop.reason() == StopSignal.Reason.SHUTDOWN ? "stopped for a service shutdown"
                : "canceled"));
        return cancel;
    }
}
