package org.pgmigrate.service.worker;

import java.util.List;
import java.util.Optional;
import org.pgmigrate.service.store.SourceCleanup;
import org.pgmigrate.service.store.SourceCleanupStore;

/**
 * The source cleanup records as one {@link MigrationRun} sees them: writing or deleting a record of its own migration
 * carries the run's lease (through {@link FencedStore#fenced}), so a run that lost its lease cannot record, and so
 * cannot make, a change on the source. Thread-safe.
 */
final class FencedSourceCleanups implements SourceCleanupStore {

    private final SourceCleanupStore records;
    private final FencedStore fence;

    FencedSourceCleanups(SourceCleanupStore records, FencedStore fence) {
        this.records = records;
        this.fence = fence;
    }

    private boolean ours(String migrationId) {
        return fence.lease().migrationId().equals(migrationId);
    }

    @Override
    public Optional<SourceCleanup> find(String migrationId, String database) {
        return records.find(migrationId, database);
    }

    @Override
    public void put(SourceCleanup cleanup) {
        if (ours(cleanup.migrationId())) {
            put(cleanup, fence.lease());
        } else {
            records.put(cleanup);
        }
    }

    @Override
    public void put(SourceCleanup cleanup, org.pgmigrate.service.store.Lease lease) {
        fence.fenced(() -> {
            records.put(cleanup, lease);
            return null;
        });
    }

    @Override
    public void delete(String migrationId, String database) {
        if (ours(migrationId)) {
            delete(migrationId, database, fence.lease());
        } else {
            records.delete(migrationId, database);
        }
    }

    @Override
    public void delete(String migrationId, String database, org.pgmigrate.service.store.Lease lease) {
        fence.fenced(() -> {
            records.delete(migrationId, database, lease);
            return null;
        });
    }

    @Override
    public List<SourceCleanup> list() {
        return records.list();
    }
}
