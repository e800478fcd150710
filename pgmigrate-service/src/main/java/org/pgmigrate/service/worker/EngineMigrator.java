package org.pgmigrate.service.worker;

import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;

/**
 * {@link DatabaseMigrator} on the engine. PLACEHOLDER until org.pgmigrate.engine.Engine lands on main: it refuses
 * with a clear error, so a migration reaching MigratingData fails instead of pretending to copy.
 */
final class EngineMigrator implements DatabaseMigrator {

    @Override
    public void migrateDatabase(DatabaseTask task, ProgressListener progress, CheckpointStore checkpoints, StopSignal stop) {
        throw new EngineException(EngineError.INTERNAL, "This build of pgmigrate has no migration engine yet.");
    }

    @Override
    public void migrateRoles(PgEndpoint source, PgEndpoint target) {
        throw new EngineException(EngineError.INTERNAL, "This build of pgmigrate has no migration engine yet.");
    }
}
