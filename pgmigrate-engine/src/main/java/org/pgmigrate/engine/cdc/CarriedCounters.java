package org.pgmigrate.engine.cdc;

import org.pgmigrate.engine.cdc.apply.Applier;

/**
 * Counters of receiver and applier threads that were replaced in the same replication (after a failed cutover step
 * restarted them), so that {@link OnlineReplication#stats()} keeps counting from where they were instead of from 0.
 */
record CarriedCounters(CdcCounters counters, long reconnects) {

    static final CarriedCounters NONE = new CarriedCounters(CdcCounters.ZERO, 0);

    /** These counters plus what a stopped applier and receiver counted. */
    CarriedCounters plus(Applier.Progress applied, long incomingChanges, long receiverReconnects) {
        return new CarriedCounters(counters.plus(counted(applied, incomingChanges)), reconnects + receiverReconnects);
    }

    /** What an applier (null: none yet) and a receiver counted, by name. */
    static CdcCounters counted(Applier.Progress applied, long incomingChanges) {
        CdcCounters received = CdcCounters.ZERO.withIncoming(incomingChanges);
        return applied == null ? received : received.withInserts(applied.inserts()).withUpdates(applied.updates())
                .withDeletes(applied.deletes()).withTruncates(applied.truncates());
    }
}
