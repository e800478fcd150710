package org.pgmigrate.service.worker;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.service.migration.SealedSecrets;
import org.pgmigrate.service.security.PrivateFiles;
import org.pgmigrate.service.server.EndpointResolver;
import org.pgmigrate.service.server.RestartCommandPolicy;
import org.pgmigrate.service.store.MigrationStore;
import org.slf4j.LoggerFactory;

/**
 * What every {@link MigrationRun} of one node shares. The scheduler owns {@code databaseJobs}. {@code workRoot}
 * holds the engine's per-database files ({@code <migrationId>/<db>}). {@code restartCommands} says whether a
 * source's registered restart command may run. {@code replication} says when online replications pause.
 * {@code cleanups} records what online migrations change on their sources, and retries undoing it. Immutable.
 */
record WorkerContext(MigrationStore store, SealedSecrets secrets, EndpointResolver resolver, DatabaseMigrator migrator,
                     Prerequisites prerequisites, PremigrationValidation validation,
                     ExecutorService databaseJobs, ProgressListener metrics,
                     JobLimits limits, Clock clock, String nodeId, Duration leaseDuration, Path workRoot,
                     RestartCommandPolicy restartCommands, ReplicationLimits replication,
                     SourceCleanups cleanups) {

    /** The context of one run that holds {@code lease}: its writes to its migration carry the lease. */
    WorkerContext fencedBy(org.pgmigrate.service.store.Lease lease, Runnable onLost) {
        FencedStore fenced = new FencedStore(store, lease, onLost);
        return new WorkerContext(fenced, secrets, resolver, migrator, prerequisites, validation, databaseJobs, metrics,
                limits, clock, nodeId, leaseDuration, workRoot, restartCommands, replication,
                cleanups.fencedBy(fenced));
    }

    /**
     * {@code workRoot/<migrationId>/<name>}, created (with the migration's directory) mode 0700 before the engine
     * writes into it: schema archives and change spools hold the source's data.
     */
    Path workDirectory(String migrationId, String name) {
        Path migrationDir = workRoot.resolve(migrationId);
        PrivateFiles.createDirectory(workRoot);
        PrivateFiles.createDirectory(migrationDir);
        Path dir = migrationDir.resolve(name);
        PrivateFiles.createDirectory(dir);
        return dir;
    }

    /**
     * Removes {@code workRoot/<migrationId>} once nothing is left in it (each database's directory goes when the
     * database is done, a spool at cutover), so that a finished migration leaves no empty folder. Called when the
     * migration's run ends, when no database job of it writes there any more; a directory still holding files (a
     * failed database's, or a run stopped by a shutdown, which resumes from them) stays.
     */
    void removeWorkDirectoryIfEmpty(String migrationId) {
        Path migrationDir = workRoot.resolve(migrationId);
        try {
            Files.deleteIfExists(migrationDir);
        } catch (DirectoryNotEmptyException stillUsed) {
            // kept: its files are still needed, or kept for a look
        } catch (IOException e) {
            LoggerFactory.getLogger(WorkerContext.class).debug("Cannot remove {}: {}", migrationDir, e.toString());
        }
    }
}
