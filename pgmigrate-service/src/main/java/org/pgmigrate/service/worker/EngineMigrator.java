package org.pgmigrate.service.worker;

import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.cdc.SourceChangeLog;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.verify.SourceWrites;
import org.pgmigrate.engine.verify.VerificationReport;

/**
 * {@link DatabaseMigrator} on the engine: one {@link DatabaseJob} per database (under the slot's snapshot when
 * online), with verification and ANALYZE, the node's table and index jobs, and a {@link Cancellation} that the stop
 * signal triggers; {@link OnlineReplication}s on the engine's connector. Thread-safe.
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
        DatabaseJob job = new DatabaseJob(task.source(), task.target(), task.tuning().copyOptions(), task.dropIfExists(),
                task.keepOwnership(), true, task.tuning().analyze(), task.workDir(), task.snapshotName(), task.filter(),
                task.tuning().skips());
        return engine.migrateDatabase(job, progress, checkpoints, cancellation(stop));
    }

    @Override
    public void migrateRoles(PgEndpoint source, PgEndpoint target, StopSignal stop) {
        engine.migrateRoles(source, target, cancellation(stop));
    }

    @Override
    public OnlineReplication replication(ReplicationConfig config, SourceChangeLog changeLog) {
        return new OnlineReplication(config, settings.connector(), changeLog);
    }

    @Override
    public void requireTargetDatabase(PgEndpoint target, String recordedIdentity) {
        engine.requireTargetDatabase(target, recordedIdentity);
    }

    @Override
    public void dropEarlierAttempt(PgEndpoint source, PgEndpoint target, String recordedIdentity) {
        engine.dropEarlierAttempt(source, target, recordedIdentity);
    }

    @Override
    public SourceWrites sourceWrites(PgEndpoint source) {
        return engine.sourceWrites(source);
    }

    @Override
    public VerificationReport verifyDatabase(PgEndpoint source, PgEndpoint target, int jobs, ObjectSkips skips,
                                             StopSignal stop) {
        return engine.verifyDatabase(source, target, jobs, 100, 0, skips, cancellation(stop));
    }

    private static Cancellation cancellation(StopSignal stop) {
        Cancellation cancel = new Cancellation();
        stop.onStop(() -> cancel.cancel(stop.reason() == StopSignal.Reason.SHUTDOWN ? "stopped for a service shutdown"
                : "canceled"));
        return cancel;
    }
}
