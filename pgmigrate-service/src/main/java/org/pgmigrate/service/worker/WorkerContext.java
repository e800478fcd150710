package org.pgmigrate.service.worker;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.service.migration.SealedSecrets;
import org.pgmigrate.service.server.EndpointResolver;
import org.pgmigrate.service.store.MigrationStore;

/**
 * What every {@link MigrationRun} of one node shares. The scheduler owns {@code databaseJobs}. {@code workRoot}
 * holds the engine's per-database files ({@code <migrationId>/<db>}). {@code cleanups} records what online
 * migrations change on their sources, and retries undoing it. Immutable.
 */
record WorkerContext(MigrationStore store, SealedSecrets secrets, EndpointResolver resolver, DatabaseMigrator migrator,
                     Prerequisites prerequisites, PremigrationValidation validation,
                     ExecutorService databaseJobs, ProgressListener metrics,
                     JobLimits limits, Clock clock, String nodeId, Duration leaseDuration, Path workRoot,
                     SourceCleanups cleanups) {
}
