package org.pgmigrate.service.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.pgmigrate.service.migration.MigrationState;

/** The store's counts by state, read at most once per {@code ttl} however many gauges ask. Thread-safe. */
final class CachedCounts {

    private final Supplier<Map<MigrationState, Long>> source;
    private final long ttlNanos;
    private volatile Map<MigrationState, Long> counts = Map.of();
    private volatile long readAt;

    CachedCounts(Supplier<Map<MigrationState, Long>> source, Duration ttl) {
        this.source = source;
        this.ttlNanos = ttl.toNanos();
        this.readAt = System.nanoTime() - ttlNanos - 1;
    }

    synchronized Map<MigrationState, Long> get() {
        if (System.nanoTime() - readAt > ttlNanos) {
            counts = source.get();
            readAt = System.nanoTime();
        }
        return counts;
    }
}
