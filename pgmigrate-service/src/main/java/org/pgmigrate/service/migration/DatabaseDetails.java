package org.pgmigrate.service.migration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import org.pgmigrate.engine.cdc.CdcCounters;

/**
 * One entry of {@code currentSubStateDetails.dbDetails}: the spec's DatabaseMigrationState, plus the extra
 * properties {@code pendingBytes} (WAL bytes not yet durably applied, online), {@code copiedRows},
 * {@code copiedBytes} and {@code totalBytes} (the full load's progress). Counters are totals for the database, kept
 * in named records ({@link FullLoadProgress}, {@link ReplicationProgress}) so that two of them cannot be swapped.
 * Immutable.
 *
 * <p>The stores keep it as the flat JSON document it always was (the migration resource's property names, read back
 * by {@link #fromDocument}): documents written before the counters were grouped still load, and nodes of two
 * versions sharing a store read each other's documents.
 */
public record DatabaseDetails(
        String databaseName,
        DatabaseMigrationState migrationState,
        String migrationOperation,
        Instant startedOn,
        Instant endedOn,
        @JsonIgnore FullLoadProgress fullLoad,
        @JsonIgnore ReplicationProgress replication,
        String message) {

    /** A database that is about to be migrated: InProgress, nothing counted yet. */
    public static DatabaseDetails queued(String database) {
        return new DatabaseDetails(database, DatabaseMigrationState.IN_PROGRESS, "Queued", null, null,
                FullLoadProgress.NONE, ReplicationProgress.NONE, null);
    }

    /**
     * Reads the stored document (see the class comment). It keeps no TRUNCATE counter: {@code appliedChanges}
     * beyond the row counters are the TRUNCATEs.
     */
    @JsonCreator
    static DatabaseDetails fromDocument(@JsonProperty("databaseName") String databaseName,
                                        @JsonProperty("migrationState") DatabaseMigrationState migrationState,
                                        @JsonProperty("migrationOperation") String migrationOperation,
                                        @JsonProperty("startedOn") Instant startedOn,
                                        @JsonProperty("endedOn") Instant endedOn,
                                        @JsonProperty("fullLoadQueuedTables") long queuedTables,
                                        @JsonProperty("fullLoadErroredTables") long erroredTables,
                                        @JsonProperty("fullLoadLoadingTables") long loadingTables,
                                        @JsonProperty("fullLoadCompletedTables") long completedTables,
                                        @JsonProperty("cdcUpdateCounter") long updates,
                                        @JsonProperty("cdcDeleteCounter") long deletes,
                                        @JsonProperty("cdcInsertCounter") long inserts,
                                        @JsonProperty("appliedChanges") long applied,
                                        @JsonProperty("incomingChanges") long incoming,
                                        @JsonProperty("latency") long latencySeconds,
                                        @JsonProperty("pendingBytes") long pendingBytes,
                                        @JsonProperty("copiedRows") long copiedRows,
                                        @JsonProperty("copiedBytes") long copiedBytes,
                                        @JsonProperty("totalBytes") long totalBytes,
                                        @JsonProperty("message") String message) {
        FullLoadProgress fullLoad = FullLoadProgress.NONE.withQueuedTables(queuedTables)
                .withErroredTables(erroredTables).withLoadingTables(loadingTables).withCompletedTables(completedTables)
                .withCopiedRows(copiedRows).withCopiedBytes(copiedBytes).withTotalBytes(totalBytes);
        CdcCounters counters = CdcCounters.ZERO.withInserts(inserts).withUpdates(updates).withDeletes(deletes)
                .withTruncates(Math.max(0, applied - inserts - updates - deletes)).withIncoming(incoming);
        ReplicationProgress replication = ReplicationProgress.NONE.withCounters(counters)
                .withLatencySeconds(latencySeconds).withPendingBytes(pendingBytes);
        return new DatabaseDetails(databaseName, migrationState, migrationOperation, startedOn, endedOn, fullLoad,
                replication, message);
    }

    public DatabaseDetails withState(DatabaseMigrationState state, String operation, String newMessage) {
        Instant ended = state.isFinished() ? (endedOn != null ? endedOn : Instant.now()) : null;
        return new DatabaseDetails(databaseName, state, operation, startedOn, ended, fullLoad, replication, newMessage);
    }

    /** This database's change capture, as the online replication reports it (totals over every run). */
    public DatabaseDetails withReplication(ReplicationProgress progress) {
        return new DatabaseDetails(databaseName, migrationState, migrationOperation, startedOn, endedOn, fullLoad,
                progress, message);
    }

    /** This database's full load, as the copy reports it. */
    public DatabaseDetails withFullLoad(FullLoadProgress progress) {
        return new DatabaseDetails(databaseName, migrationState, migrationOperation, startedOn, endedOn, progress,
                replication, message);
    }

    public DatabaseDetails withOperation(String operation) {
        return new DatabaseDetails(databaseName, migrationState, operation, startedOn, endedOn, fullLoad, replication,
                message);
    }

    public DatabaseDetails started(Instant when) {
        return new DatabaseDetails(databaseName, migrationState, migrationOperation, startedOn != null ? startedOn : when,
                endedOn, fullLoad, replication, message);
    }

    // The counters under the migration resource's property names: what the API shows and the stores keep.

    @JsonProperty("fullLoadQueuedTables")
    public long fullLoadQueuedTables() {
        return fullLoad.queuedTables();
    }

    @JsonProperty("fullLoadErroredTables")
    public long fullLoadErroredTables() {
        return fullLoad.erroredTables();
    }

    @JsonProperty("fullLoadLoadingTables")
    public long fullLoadLoadingTables() {
        return fullLoad.loadingTables();
    }

    @JsonProperty("fullLoadCompletedTables")
    public long fullLoadCompletedTables() {
        return fullLoad.completedTables();
    }

    @JsonProperty("cdcUpdateCounter")
    public long cdcUpdateCounter() {
        return replication.counters().updates();
    }

    @JsonProperty("cdcDeleteCounter")
    public long cdcDeleteCounter() {
        return replication.counters().deletes();
    }

    @JsonProperty("cdcInsertCounter")
    public long cdcInsertCounter() {
        return replication.counters().inserts();
    }

    @JsonProperty("appliedChanges")
    public long appliedChanges() {
        return replication.counters().applied();
    }

    @JsonProperty("incomingChanges")
    public long incomingChanges() {
        return replication.counters().incoming();
    }

    /** Seconds between now and the source commit time of the oldest change not yet applied (online). */
    @JsonProperty("latency")
    public long latency() {
        return replication.latencySeconds();
    }

    @JsonProperty("pendingBytes")
    public long pendingBytes() {
        return replication.pendingBytes();
    }

    @JsonProperty("copiedRows")
    public long copiedRows() {
        return fullLoad.copiedRows();
    }

    @JsonProperty("copiedBytes")
    public long copiedBytes() {
        return fullLoad.copiedBytes();
    }

    @JsonProperty("totalBytes")
    public long totalBytes() {
        return fullLoad.totalBytes();
    }
}
