package org.pgmigrate.service.migration;

import java.time.Instant;

/**
 * One entry of {@code currentSubStateDetails.dbDetails}: the spec's DatabaseMigrationState, plus the extra
 * properties {@code pendingBytes} (WAL bytes not yet durably applied, online), {@code copiedRows},
 * {@code copiedBytes} and {@code totalBytes} (the full load's progress). Counters are totals for the database.
 * Immutable.
 *
 * @param latency seconds between now and the source commit time of the oldest change not yet applied (online)
 */
public record DatabaseDetails(
        String databaseName,
        DatabaseMigrationState migrationState,
        String migrationOperation,
        Instant startedOn,
        Instant endedOn,
        long fullLoadQueuedTables,
        long fullLoadErroredTables,
        long fullLoadLoadingTables,
        long fullLoadCompletedTables,
        long cdcUpdateCounter,
        long cdcDeleteCounter,
        long cdcInsertCounter,
        long appliedChanges,
        long incomingChanges,
        long latency,
        long pendingBytes,
        long copiedRows,
        long copiedBytes,
        long totalBytes,
        String message) {

    /** A database that is about to be migrated: InProgress, nothing counted yet. */
    public static DatabaseDetails queued(String database) {
        return new DatabaseDetails(database, DatabaseMigrationState.IN_PROGRESS, "Queued", null, null, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, null);
    }

    public DatabaseDetails withState(DatabaseMigrationState state, String operation, String newMessage) {
        Instant ended = state.isFinished() ? (endedOn != null ? endedOn : Instant.now()) : null;
        return new DatabaseDetails(databaseName, state, operation, startedOn, ended, fullLoadQueuedTables,
                fullLoadErroredTables, fullLoadLoadingTables, fullLoadCompletedTables, cdcUpdateCounter,
                cdcDeleteCounter, cdcInsertCounter, appliedChanges, incomingChanges, latency, pendingBytes, copiedRows,
                copiedBytes, totalBytes, newMessage);
    }

    /** This database's change-capture counters, as the online replication reports them. */
    public DatabaseDetails withReplication(long inserts, long updates, long deletes, long applied, long incoming,
                                           long latencySeconds, long pending) {
        return new DatabaseDetails(databaseName, migrationState, migrationOperation, startedOn, endedOn,
                fullLoadQueuedTables, fullLoadErroredTables, fullLoadLoadingTables, fullLoadCompletedTables, updates,
                deletes, inserts, applied, incoming, latencySeconds, pending, copiedRows, copiedBytes, totalBytes,
                message);
    }

    public DatabaseDetails withOperation(String operation) {
        return new DatabaseDetails(databaseName, migrationState, operation, startedOn, endedOn, fullLoadQueuedTables,
                fullLoadErroredTables, fullLoadLoadingTables, fullLoadCompletedTables, cdcUpdateCounter,
                cdcDeleteCounter, cdcInsertCounter, appliedChanges, incomingChanges, latency, pendingBytes, copiedRows,
                copiedBytes, totalBytes, message);
    }

    public DatabaseDetails started(Instant when) {
        return new DatabaseDetails(databaseName, migrationState, migrationOperation, startedOn != null ? startedOn : when,
                endedOn, fullLoadQueuedTables, fullLoadErroredTables, fullLoadLoadingTables, fullLoadCompletedTables,
                cdcUpdateCounter, cdcDeleteCounter, cdcInsertCounter, appliedChanges, incomingChanges, latency,
                pendingBytes, copiedRows, copiedBytes, totalBytes, message);
    }
}
