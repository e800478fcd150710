package org.pgmigrate.service.store;

/**
 * A write carried a {@link Lease} that is no longer the migration's: another node claimed the migration since (this
 * node was paused past the lease's expiry), or the lease was released. Nothing was written. The run that gets it
 * must stop at once and write nothing more: the migration belongs to the lease's new holder.
 */
public final class LeaseLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Lease lease;

    public LeaseLostException(Lease lease) {
        super("Node " + lease.owner() + " no longer holds the lease of migration " + lease.migrationId()
                + " (fencing token " + lease.token() + "): another node took the migration over, or it was released."
                + " Nothing was written.");
        this.lease = lease;
    }

    public Lease lease() {
        return lease;
    }
}
