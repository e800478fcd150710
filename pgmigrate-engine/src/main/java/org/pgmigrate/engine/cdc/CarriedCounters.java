package org.pgmigrate.engine.cdc;

import org.pgmigrate.engine.cdc.apply.Applier;

/**
 * Counters of receiver and applier threads that were replaced in the same replication (after a failed cutover step
 * restarted them), so that {@link OnlineReplication#stats()} keeps counting from where they were instead of from 0.
 */
record CarriedCounters(long inserts, long updates, long deletes, long truncates, long incoming, long reconnects) {

    static final CarriedCounters NONE = new CarriedCounters(0, 0, 0, 0, 0, 0);

    /** These counters plus what a stopped applier and receiver counted. */
    CarriedCounters plus(Applier.Progress applied, long incomingChanges, long receiverReconnects) {
        return new CarriedCounters(inserts + (applied == null ? 0 : applied.inserts()),
                updates + (applied == null ? 0 : applied.updates()), deletes + (applied == null ? 0 : applied.deletes()),
                truncates + (applied == null ? 0 : applied.truncates()), incoming + incomingChanges,
                reconnects + receiverReconnects);
    }

    long changes() {
        return inserts + updates + deletes + truncates;
    }
}
