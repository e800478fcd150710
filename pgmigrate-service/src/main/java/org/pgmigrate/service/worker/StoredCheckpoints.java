package org.pgmigrate.service.worker;

import java.util.Optional;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.service.store.MigrationStore;

/**
 * The engine's {@link CheckpointStore} over the service's store, scoped to one migration: what a resumed run skips
 * after a kill -9. Durable on {@link #put} (the store commits with synchronous=FULL). Thread-safe.
 */
final class StoredCheckpoints implements CheckpointStore {

    private final MigrationStore store;
    private final PatientWrites writes;
    private final String migrationId;

    StoredCheckpoints(MigrationStore store, PatientWrites writes, String migrationId) {
        this.store = store;
        this.writes = writes;
        this.migrationId = migrationId;
    }

    @Override
    public Optional<String> get(String key) {
        return store.checkpoint(migrationId, key);
    }

    @Override
    public void put(String key, String value) {
        // The engine's workers wait for a busy store rather than fail their part.
        writes.putCheckpoint(migrationId, key, value);
    }
}
