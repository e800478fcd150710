package org.pgmigrate.service.worker;

import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;

/**
 * The engine as the workers use it: migrate one database end to end, or the roles. Both block, and throw
 * {@link org.pgmigrate.engine.EngineException} on failure ({@code CANCELED} after {@code stop}). Implementations
 * are thread-safe: several databases run at once.
 */
interface DatabaseMigrator {

    DatabaseReport migrateDatabase(DatabaseTask task, ProgressListener progress, CheckpointStore checkpoints, StopSignal stop);

    void migrateRoles(PgEndpoint source, PgEndpoint target, StopSignal stop);
}
