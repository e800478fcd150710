package org.pgmigrate.service.worker;

import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.cdc.SourceChangeLog;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;

/**
 * {@link DatabaseMigrator} on the engine: one {@link DatabaseJob} per database, with verification and ANALYZE, the
 * node's table and index jobs, and a {@link Cancellation} that the stop signal triggers; {@link OnlineMigration}s on
 * the engine's connector. Thread-safe.
 */
final class EngineMigrator implements DatabaseMigrator {

    private final Engine engine;
    private final EngineSettings settings;

    EngineMigrator(EngineSettings settings) {
        this.engine = new Engine(settings);
        this.settings = settings;
    }

    @Override
    public DatabaseReport migrateDatabase(DatabaseTask task, ProgressListener progress, CheckpointStore checkpoints,
                                          StopSignal stop) {
        return engine.migrateDatabase(job(task), progress, checkpoints, cancellation(stop));
    }

    @Override
    public void migrateRoles(PgEndpoint source, PgEndpoint target, StopSignal stop) {
        engine.migrateRoles(source, target, cancellation(stop));
    }

    @Override
    public OnlineMigration online(DatabaseTask task, ReplicationConfig config, SourceChangeLog changeLog,
                                  CheckpointStore checkpoints) {
        return new OnlineMigration(engine, job(task), new OnlineReplication(config, settings.connector(), changeLog),
                checkpoints);
    }

    private static DatabaseJob job(DatabaseTask task) {
        return new DatabaseJob(task.source(), task.target(), task.tuning().copyOptions(), task.dropIfExists(),
                task.keepOwnership(), true, task.tuning().analyze(), task.workDir(), null, task.filter(),
                task.tuning().skips());
    }

    /** The engine's cancellation of work that {@code stop} stops, saying why. */
    static Cancellation cancellation(StopSignal stop) {
        Cancellation cancel = new Cancellation();
        stop.onStop(() -> cancel.cancel(stop.reason() == StopSignal.Reason.SHUTDOWN ? "stopped for a service shutdown"
                : "canceled"));
        return cancel;
    }
}
