package org.pgmigrate.service.worker;

import org.pgmigrate.engine.DatabaseReport;
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
 * The engine as the workers use it: migrate one database end to end (under a given snapshot when online), the roles,
 * an online database's replication, and a comparison of both sides after a cutover. They block, and throw
 * {@link org.pgmigrate.engine.EngineException} on failure ({@code CANCELED} after {@code stop}). Implementations
 * are thread-safe: several databases run at once.
 */
interface DatabaseMigrator {

    DatabaseReport migrateDatabase(DatabaseTask task, ProgressListener progress, CheckpointStore checkpoints, StopSignal stop);

    void migrateRoles(PgEndpoint source, PgEndpoint target, StopSignal stop);

    /**
     * A new, not yet prepared, replication of one database (online), recording what it changes on the source in
     * {@code changeLog} before it changes it.
     */
    OnlineReplication replication(ReplicationConfig config, SourceChangeLog changeLog);

    /**
     * Proves that the target database is still the one an earlier attempt created and recorded, before writing into
     * it again; throws {@code TARGET_DATABASE_CHANGED} otherwise.
     */
    void requireTargetDatabase(PgEndpoint target, String recordedIdentity);

    /** Drops the target database an earlier attempt created, once proven to be that one (never the source). */
    void dropEarlierAttempt(PgEndpoint source, PgEndpoint target, String recordedIdentity);

    /** What the source database has written so far (write counters per table, sequence positions). Read-only. */
    SourceWrites sourceWrites(PgEndpoint source);

    /**
     * Compares source and target of one database: every table's rows, sequences, objects, but for what the migration
     * left out on request ({@code skips}). Read-only.
     */
    VerificationReport verifyDatabase(PgEndpoint source, PgEndpoint target, int jobs, ObjectSkips skips,
                                      StopSignal stop);
}
