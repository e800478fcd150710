package org.pgmigrate.service.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationState;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.store.Lease;
import org.pgmigrate.service.store.LeaseLostException;
import org.pgmigrate.service.store.MigrationStore;

/**
 * The store as one {@link MigrationRun} sees it: every write to its own migration (state, counters, checkpoints)
 * carries the run's {@link Lease}, so that a run whose node lost the lease (paused past its expiry while another
 * node claimed the migration) can never write again. The first refused write calls {@code onLost}, which stops the
 * run; the write itself throws {@link LeaseLostException}. Reads, and writes to other migrations, go straight
 * through. Thread-safe.
 */
final class FencedStore implements MigrationStore {

    private final MigrationStore store;
    private final Lease lease;
    private final Runnable onLost;

    FencedStore(MigrationStore store, Lease lease, Runnable onLost) {
        this.store = store;
        this.lease = lease;
        this.onLost = onLost;
    }

    Lease lease() {
        return lease;
    }

    /** Runs a fenced write; a refused one stops the run before the exception goes up. */
    <T> T fenced(Supplier<T> write) {
        try {
            return write.get();
        } catch (LeaseLostException e) {
            onLost.run();
            throw e;
        }
    }

    private boolean ours(String migrationId) {
        return lease.migrationId().equals(migrationId);
    }

    @Override
    public Optional<Migration> update(String migrationId, UnaryOperator<Migration> change) {
        return ours(migrationId) ? fenced(() -> store.update(migrationId, lease, change))
                : store.update(migrationId, change);
    }

    @Override
    public Optional<Migration> update(String migrationId, Lease fence, UnaryOperator<Migration> change) {
        return fenced(() -> store.update(migrationId, fence, change));
    }

    @Override
    public void putCheckpoint(String migrationId, String key, String value) {
        if (ours(migrationId)) {
            fenced(() -> {
                store.putCheckpoint(migrationId, key, value, lease);
                return null;
            });
        } else {
            store.putCheckpoint(migrationId, key, value);
        }
    }

    @Override
    public void putCheckpoint(String migrationId, String key, String value, Lease fence) {
        fenced(() -> {
            store.putCheckpoint(migrationId, key, value, fence);
            return null;
        });
    }

    @Override
    public boolean insert(Migration migration) {
        return store.insert(migration);
    }

    @Override
    public Optional<Migration> find(MigrationKey key) {
        return store.find(key);
    }

    @Override
    public Optional<Migration> findById(String migrationId) {
        return store.findById(migrationId);
    }

    @Override
    public List<Migration> listByTarget(ServerKey target) {
        return store.listByTarget(target);
    }

    @Override
    public List<Migration> listActive() {
        return store.listActive();
    }

    @Override
    public List<Migration> listAll() {
        return store.listAll();
    }

    @Override
    public boolean delete(String migrationId) {
        throw new UnsupportedOperationException("A migration run never deletes a migration");
    }

    @Override
    public Optional<Lease> claim(String migrationId, String owner, Duration duration) {
        return store.claim(migrationId, owner, duration);
    }

    @Override
    public boolean renew(Lease l, Duration duration) {
        return store.renew(l, duration);
    }

    @Override
    public void release(Lease l) {
        store.release(l);
    }

    @Override
    public int releaseLeases(String owner) {
        return store.releaseLeases(owner);
    }

    @Override
    public List<Lease> leasesOf(String owner) {
        return store.leasesOf(owner);
    }

    @Override
    public Optional<String> checkpoint(String migrationId, String key) {
        return store.checkpoint(migrationId, key);
    }

    @Override
    public Map<MigrationState, Long> countByState() {
        return store.countByState();
    }
}
