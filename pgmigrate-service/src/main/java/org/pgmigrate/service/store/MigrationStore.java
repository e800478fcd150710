package org.pgmigrate.service.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationState;
import org.pgmigrate.service.server.ServerKey;

/**
 * Durable migrations, their leases (which node works on which migration) and their engine checkpoints.
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

    /** Deletes the migration with its checkpoints; false when it did not exist. */
    boolean delete(String migrationId);

    /** Takes or renews the lease when it is free, expired, or already {@code owner}'s. */
    boolean acquireLease(String migrationId, String owner, Instant until, Instant now);

    void releaseLease(String migrationId, String owner);

    /** Releases every lease {@code owner} holds (a node starting again after a crash). Returns how many. */
    int releaseLeases(String owner);

    Optional<String> checkpoint(String migrationId, String key);

    void putCheckpoint(String migrationId, String key, String value);

    /** Migrations by state, for metrics. */
    Map<MigrationState, Long> countByState();
}
