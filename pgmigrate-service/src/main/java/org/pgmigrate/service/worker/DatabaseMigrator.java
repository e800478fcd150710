package org.pgmigrate.service.worker;

import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.cdc.SourceChangeLog;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;

/**
 * The engine as the workers use it: migrate one database end to end, the roles, and an online database's migration
 * (base copy, change capture, cutover and the verification after it). They block, and throw
 * {@link org.pgmigrate.engine.EngineException} on failure ({@code CANCELED} after {@code stop}). Implementations
 * are thread-safe: several databases run at once.
 */
interface DatabaseMigrator {

    DatabaseReport migrateDatabase(DatabaseTask task, ProgressListener progress, CheckpointStore checkpoints, StopSignal stop);

    void migrateRoles(PgEndpoint source, PgEndpoint target, StopSignal stop);

    /**
     * The online migration of one database ({@code task}, whose copy runs under the slot's snapshot), keeping how far
     * it got in {@code checkpoints} and recording what it changes on the source in {@code changeLog} before it changes
     * it. A new object on the same checkpoints goes on where an earlier one (or process) stopped.
     */
    OnlineMigration online(DatabaseTask task, ReplicationConfig config, SourceChangeLog changeLog,
                           CheckpointStore checkpoints);
}
