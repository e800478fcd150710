package org.pgmigrate.service.portal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.List;
import org.pgmigrate.service.migration.Migration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@link ReplicationHistory} from the store every {@code interval} on a daemon thread of its own. It reads
 * what the workers wrote (they flush their counters every second), so it works the same whichever node runs a
 * migration, and a store that is busy only costs a missed sample.
 */
final class ReplicationSampler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSampler.class);

    private final ReplicationHistory history;
    private final Supplier<List<Migration>> active;
    private final Clock clock;
    private final Duration interval;
    private ScheduledExecutorService executor;
    private boolean warned;

    ReplicationSampler(ReplicationHistory history, Supplier<List<Migration>> active, Clock clock, Duration interval) {
        this.history = history;
        this.active = active;
        this.clock = clock;
        this.interval = interval;
    }

    synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgmigrate-portal-sampler");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try {
            history.record(clock.instant(), active.get());
            warned = false;
        } catch (RuntimeException e) {
            // the chart misses a point; the next sample is in one interval
            if (!warned) {
                LOG.warn("Cannot sample replication latency for the portal's chart: {}", e.getMessage());
                warned = true;
            }
        }
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }
}
