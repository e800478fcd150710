package org.pgmigrate.service.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationState;
import org.pgmigrate.service.server.ServerKey;

/**
 * Durable migrations, their leases (which node works on which migration, with a fencing token) and their engine
 * checkpoints.
 *
 * <p>Implementations are thread-safe, and every write is durable when the method returns. Names compare
 * case-insensitively. Sealed secrets are stored as given (ciphertext); the store never sees plain text.
 */
public interface MigrationStore {

    /** Inserts a new migration; returns false (and stores nothing) when its name is taken on that target. */
    boolean insert(Migration migration);

    Optional<Migration> find(MigrationKey key);

    Optional<Migration> findById(String migrationId);

    /** Every migration of one target server, oldest first. */
    List<Migration> listByTarget(ServerKey target);

    /** Every migration that is not finished, on every target, oldest first. */
    List<Migration> listActive();

    /** Every migration, finished or not, on every target, oldest first. */
    List<Migration> listAll();

    /**
     * Atomically reads the migration, applies {@code change} and writes the result (no other write interleaves).
     * {@code change} may throw to abort without writing. Returns the stored result, or empty if the migration is gone.
     */
    Optional<Migration> update(String migrationId, UnaryOperator<Migration> change);

    /**
     * {@link #update(String, UnaryOperator)} fenced by {@code lease}: applied only while {@code lease} is still the
     * migration's (same owner, same token), checked in the same transaction as the write.
     *
     * @throws LeaseLostException when it is not, with nothing written
     */
    Optional<Migration> update(String migrationId, Lease lease, UnaryOperator<Migration> change);

    /** Deletes the migration with its checkpoints; false when it did not exist. */
    boolean delete(String migrationId);

    /**
     * Claims the migration for {@code owner} for {@code duration} when its lease is free, expired, or already
     * {@code owner}'s (a node started again under its name), by the store's own clock, and increments its fencing
     * token. Empty when another node holds it.
     */
    Optional<Lease> claim(String migrationId, String owner, Duration duration);

    /** Extends {@code lease} by {@code duration} from now; false when it is no longer the migration's lease. */
    boolean renew(Lease lease, Duration duration);

    /** Gives the lease up (the token stays, so it keeps growing); nothing happens if it is no longer held. */
    void release(Lease lease);

    /** Releases every lease {@code owner} holds (a node starting again after a crash). Returns how many. */
    int releaseLeases(String owner);

    /** The leases {@code owner} holds now, whether or not they expired, oldest migration first. */
    List<Lease> leasesOf(String owner);

    Optional<String> checkpoint(String migrationId, String key);

    void putCheckpoint(String migrationId, String key, String value);

    /**
     * {@link #putCheckpoint(String, String, String)} fenced by {@code lease}.
     *
     * @throws LeaseLostException when {@code lease} is no longer the migration's, with nothing written
     */
    void putCheckpoint(String migrationId, String key, String value, Lease lease);

    /** Migrations by state, for metrics. */
    Map<MigrationState, Long> countByState();
}
