package org.pgmigrate.service.worker;

import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
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

    /** A new, not yet prepared, replication of one database (online). */
    OnlineReplication replication(ReplicationConfig config);

    /** Compares source and target of one database: every table's rows, sequences, objects. Read-only. */
    VerificationReport verifyDatabase(PgEndpoint source, PgEndpoint target, int jobs, StopSignal stop);
}
