package org.pgmigrate.service.migration;

import org.pgmigrate.engine.cdc.CdcCounters;
import org.pgmigrate.engine.cdc.ReplicationStats;

/**
 * A database's change capture as the migration resource shows it: the engine's {@link CdcCounters}, totals over
 * every run of the migration, and how far behind the target is now. Immutable.
 *
 * @param latencySeconds seconds between now and the source commit time of the oldest change not yet applied
 * @param pendingBytes   WAL bytes not yet durably applied
 */
public record ReplicationProgress(CdcCounters counters, long latencySeconds, long pendingBytes) {

    public static final ReplicationProgress NONE = new ReplicationProgress(CdcCounters.ZERO, 0, 0);

    /** What the engine reports now, counted on top of what earlier runs of the migration counted. */
    public static ReplicationProgress of(ReplicationStats now, CdcCounters earlier) {
        return NONE.withCounters(earlier.plus(now.counters())).withLatencySeconds(now.latencySeconds())
                .withPendingBytes(Math.max(0, now.pendingBytes()));
    }

    public ReplicationProgress withCounters(CdcCounters total) {
        return new ReplicationProgress(total, latencySeconds, pendingBytes);
    }

    public ReplicationProgress withLatencySeconds(long seconds) {
        return new ReplicationProgress(counters, seconds, pendingBytes);
    }

    public ReplicationProgress withPendingBytes(long bytes) {
        return new ReplicationProgress(counters, latencySeconds, bytes);
    }
}
