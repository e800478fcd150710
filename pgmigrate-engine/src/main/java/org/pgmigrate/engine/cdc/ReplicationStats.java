package org.pgmigrate.engine.cdc;

import java.time.Duration;

/**
 * A read-only snapshot of one database's change capture, cheap to take from any thread.
 *
 * <ul>
 *   <li>{@code cdcInsertCounter}, {@code cdcUpdateCounter}, {@code cdcDeleteCounter}: rows changed on the target;
 *       {@code appliedChanges} adds TRUNCATEs to them.</li>
 *   <li>{@code incomingChanges}: changes of committed source transactions received (spooled) so far.</li>
 *   <li>{@code pendingBytes}: WAL bytes between the source's current position and what is durably applied.</li>
 *   <li>{@code latency}: now minus the source commit time of the oldest change not yet applied; zero when caught
 *       up.</li>
 *   <li>Positions: received from the source, fsynced in the spool, applied on the target, durable on the target,
 *       and confirmed to the source (which may then recycle WAL before it).</li>
 * </ul>
 * Counters restart at zero when a migration resumes in a new process. {@code paused} says why capture or apply
 * waits (a server unreachable past the reconnect window, a spool without room) and what happens meanwhile, or is
 * null; a pause is not a failure, and it ends by itself.
 */
public record ReplicationStats(String database, ReplicationState state, long cdcInsertCounter, long cdcUpdateCounter,
                               long cdcDeleteCounter, long cdcTruncateCounter, long appliedChanges,
                               long incomingChanges, long pendingBytes, Duration latency, Lsn sourceCurrentLsn,
                               Lsn receivedLsn, Lsn spooledLsn, Lsn appliedLsn, Lsn durableLsn, Lsn confirmedLsn,
                               long spoolBytes, int peakBatchRows, int reconnects, String failure, String paused) {

    /** Latency in whole seconds, rounded up, as the migration resource shows it. */
    public long latencySeconds() {
        long s = latency.toSeconds();
        return latency.minusSeconds(s).isZero() ? s : s + 1;
    }
}
