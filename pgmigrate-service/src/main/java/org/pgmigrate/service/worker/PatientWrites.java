package org.pgmigrate.service.worker;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's writes to the store, which wait out a store that is unavailable (busy, full) instead of failing: a
 * migration whose state or checkpoint cannot be written now is paused, not failed, and keeps its replication slot.
 * Reads go to the store directly. Gives up only when the service stops.
 */
final class PatientWrites {

    private static final Logger LOG = LoggerFactory.getLogger(PatientWrites.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final MigrationStore store;
    private final BooleanSupplier stopping;

    PatientWrites(MigrationStore store, BooleanSupplier stopping) {
        this.store = store;
        this.stopping = stopping;
    }

    Optional<Migration> update(String migrationId, UnaryOperator<Migration> change) {
        return patiently(() -> store.update(migrationId, change));
    }

    void putCheckpoint(String migrationId, String key, String value) {
        patiently(() -> {
            store.putCheckpoint(migrationId, key, value);
            return null;
        });
    }

    private <T> T patiently(Supplier<T> write) {
        long since = 0;
        while (true) {
            try {
                T result = write.get();
                if (since != 0) {
                    LOG.info("The store is available again; the migration goes on.");
                }
                return result;
            } catch (StoreUnavailableException e) {
                if (stopping.getAsBoolean()) {
                    throw e;
                }
                if (since == 0) {
                    since = System.nanoTime();
                    LOG.error("{} The migration waits, retrying every {} s; nothing fails meanwhile.", e.getMessage(),
                            RETRY.toSeconds());
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(RETRY.toSeconds()));
            }
        }
    }
}
