package org.pgmigrate.engine.cdc;

/**
 * Change-capture counters of one database, by name: rows inserted, updated and deleted on the target, TRUNCATEs
 * applied, and changes received from the source. Build them from {@link #ZERO} with the named withers (or add
 * two with {@link #plus}), so that two counters cannot be swapped by position. Immutable.
 *
 * @param incoming changes of committed source transactions received (spooled) so far
 */
public record CdcCounters(long inserts, long updates, long deletes, long truncates, long incoming) {

    public static final CdcCounters ZERO = new CdcCounters(0, 0, 0, 0, 0);

    /** Changes applied to the target: rows inserted, updated and deleted, and TRUNCATEs. */
    public long applied() {
        return inserts + updates + deletes + truncates;
    }

    /** Both counted: this run's counters on top of an earlier run's, for example. */
    public CdcCounters plus(CdcCounters other) {
        return new CdcCounters(inserts + other.inserts, updates + other.updates, deletes + other.deletes,
                truncates + other.truncates, incoming + other.incoming);
    }

    public CdcCounters withInserts(long rows) {
        return new CdcCounters(rows, updates, deletes, truncates, incoming);
    }

    public CdcCounters withUpdates(long rows) {
        return new CdcCounters(inserts, rows, deletes, truncates, incoming);
    }

    public CdcCounters withDeletes(long rows) {
        return new CdcCounters(inserts, updates, rows, truncates, incoming);
    }

    public CdcCounters withTruncates(long statements) {
        return new CdcCounters(inserts, updates, deletes, statements, incoming);
    }

    public CdcCounters withIncoming(long changes) {
        return new CdcCounters(inserts, updates, deletes, truncates, changes);
    }
}
