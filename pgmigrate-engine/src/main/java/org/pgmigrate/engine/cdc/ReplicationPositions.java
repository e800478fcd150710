package org.pgmigrate.engine.cdc;

/**
 * Where one database's change stream is, by name, from the source's end to what the source may recycle: the
 * source's current WAL position, what was received, what is fsynced in the spool, what is applied on the target,
 * what is durable there, and what was confirmed to the source (which may then recycle WAL before it). Build it from
 * {@link #NONE} with the named withers, so that two positions cannot be swapped by position. Immutable.
 */
public record ReplicationPositions(Lsn sourceCurrent, Lsn received, Lsn spooled, Lsn applied, Lsn durable,
                                   Lsn confirmed) {

    /** Nothing known yet: every position {@link Lsn#INVALID}. */
    public static final ReplicationPositions NONE = new ReplicationPositions(Lsn.INVALID, Lsn.INVALID, Lsn.INVALID,
            Lsn.INVALID, Lsn.INVALID, Lsn.INVALID);

    public ReplicationPositions withSourceCurrent(Lsn lsn) {
        return new ReplicationPositions(lsn, received, spooled, applied, durable, confirmed);
    }

    public ReplicationPositions withReceived(Lsn lsn) {
        return new ReplicationPositions(sourceCurrent, lsn, spooled, applied, durable, confirmed);
    }

    public ReplicationPositions withSpooled(Lsn lsn) {
        return new ReplicationPositions(sourceCurrent, received, lsn, applied, durable, confirmed);
    }

    public ReplicationPositions withApplied(Lsn lsn) {
        return new ReplicationPositions(sourceCurrent, received, spooled, lsn, durable, confirmed);
    }

    public ReplicationPositions withDurable(Lsn lsn) {
        return new ReplicationPositions(sourceCurrent, received, spooled, applied, lsn, confirmed);
    }

    public ReplicationPositions withConfirmed(Lsn lsn) {
        return new ReplicationPositions(sourceCurrent, received, spooled, applied, durable, lsn);
    }
}
