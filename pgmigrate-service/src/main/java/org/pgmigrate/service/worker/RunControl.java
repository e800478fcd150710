package org.pgmigrate.service.worker;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.server.Endpoints;

/**
 * What a migration run's helpers ({@link DatabaseRunner}, {@link OnlineDatabases}, {@link OnlineCutover},
 * {@link VerificationRecords}, {@link ReplicationSetupStep}) may ask of the run: its migration's writes, which
 * carry the run's lease and wait out an unavailable store; the endpoints; and whether, and until when, to wait. The
 * state machine itself stays in {@link MigrationRun}. Implementations are thread-safe.
 */
interface RunControl {

    String migrationId();

    /** Applies {@code change} if the migration is still {@code expected}; false if the status moved meanwhile. */
    boolean advance(MigrationStatus expected, UnaryOperator<Migration> change);

    /** Updates the migration, whatever its status. */
    void updateMigration(UnaryOperator<Migration> change);

    /** Updates one database's details, whatever the migration's status. */
    void updateDatabase(String db, UnaryOperator<DatabaseDetails> change);

    /** Fails the migration and its unfinished databases with {@code message}, if it is still {@code expected}. */
    void fail(MigrationStatus expected, String message);

    /** The migration's endpoints, or null after failing it (as {@code expected}) when they cannot be resolved. */
    Endpoints endpoints(Migration m, MigrationStatus expected);

    boolean isShuttingDown();

    /** Waits up to {@code d}, or until the migration changes or the service stops. */
    void pause(Duration d);

    /** Runs {@code action} when the service stops (at once if it is stopping). */
    void onShutdown(Runnable action);
}
