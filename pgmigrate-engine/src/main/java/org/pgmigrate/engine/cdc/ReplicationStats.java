package org.pgmigrate.engine.cdc;

import java.time.Duration;

/**
 * A read-only snapshot of one database's change capture, cheap to take from any thread.
 *
 * <ul>
 *   <li>{@code counters} ({@link CdcCounters}): rows inserted, updated and deleted on the target, TRUNCATEs, and
 *       changes of committed source transactions received (spooled) so far.</li>
 *   <li>{@code pendingBytes}: WAL bytes between the source's current position and what is durably applied.</li>
 *   <li>{@code latency}: now minus the source commit time of the oldest change not yet applied; zero when caught
 *       up.</li>
 *   <li>{@code positions} ({@link ReplicationPositions}): the source's current position, received from the source,
 *       fsynced in the spool, applied on the target, durable on the target, and confirmed to the source (which may
 *       then recycle WAL before it).</li>
 * </ul>
 * Counters restart at zero when a migration resumes in a new process. {@code paused} says why capture or apply
 * waits (a server unreachable past the reconnect window, a spool without room) and what happens meanwhile, or is
 * null; a pause is not a failure, and it ends by itself.
 */
public record ReplicationStats(String database, ReplicationState state, CdcCounters counters,
                               ReplicationPositions positions, long pendingBytes, Duration latency, long spoolBytes,
                               int peakBatchRows, int reconnects, String failure, String paused) {

    /** Latency in whole seconds, rounded up, as the migration resource shows it. */
    public long latencySeconds() {
        long s = latency.toSeconds();
        return latency.minusSeconds(s).isZero() ? s : s + 1;
    }

    // The counters and positions under the names the migration resource and the CLI show them by.

    public long cdcInsertCounter() {
        return counters.inserts();
    }

    public long cdcUpdateCounter() {
        return counters.updates();
    }

    public long cdcDeleteCounter() {
        return counters.deletes();
    }

    public long cdcTruncateCounter() {
        return counters.truncates();
    }

    public long appliedChanges() {
        return counters.applied();
    }

    public long incomingChanges() {
        return counters.incoming();
    }

    public Lsn sourceCurrentLsn() {
        return positions.sourceCurrent();
    }

    public Lsn receivedLsn() {
        return positions.received();
    }

    public Lsn spooledLsn() {
        return positions.spooled();
    }

    public Lsn appliedLsn() {
        return positions.applied();
    }

    public Lsn durableLsn() {
        return positions.durable();
    }

    public Lsn confirmedLsn() {
        return positions.confirmed();
    }
}
