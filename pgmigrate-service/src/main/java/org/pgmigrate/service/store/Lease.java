package org.pgmigrate.service.store;

import java.util.Objects;

/**
 * One node's claim on one migration. {@code token} is the fencing token: the store increments it on every claim, so
 * it only grows, and every write of the run that holds the lease carries it ({@link MigrationStore#update(String,
 * Lease, java.util.function.UnaryOperator)}, {@link MigrationStore#putCheckpoint(String, String, String, Lease)},
 * {@link SourceCleanupStore#put(SourceCleanup, Lease)}). A node that was paused past the lease's expiry (a long GC,
 * a SIGSTOP) while another node claimed the migration holds an older token, and its writes are refused. Immutable.
 *
 * @param owner the node's name ({@code serve --node-name})
 */
public record Lease(String migrationId, String owner, long token) {

    public Lease {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(owner, "owner");
    }
}
