package org.pgmigrate.service.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Amount per second over a sliding window, in one-second buckets. {@link #add} is lock-free (it runs on the copy
 * path); {@link #perSecond} sums the buckets of the window. Thread-safe.
 */
final class Throughput {

    private final int seconds;
    private final AtomicLongArray amounts;
    private final AtomicLongArray stamps;

    Throughput(Duration window) {
        this.seconds = (int) window.toSeconds();
        this.amounts = new AtomicLongArray(seconds);
        this.stamps = new AtomicLongArray(seconds);
    }

    void add(long amount) {
        long now = System.currentTimeMillis() / 1000;
        int i = (int) (now % seconds);
        long stamp = stamps.get(i);
        if (stamp != now && stamps.compareAndSet(i, stamp, now)) {
            amounts.set(i, 0);
        }
        amounts.addAndGet(i, amount);
    }

    double perSecond() {
        long now = System.currentTimeMillis() / 1000;
        long sum = 0;
        for (int i = 0; i < seconds; i++) {
            if (now - stamps.get(i) < seconds) {
                sum += amounts.get(i);
            }
        }
        return (double) sum / seconds;
    }
}
