package org.pgmigrate.engine.cdc;

import java.util.ArrayDeque;

/**
 * Source commit times of transactions received but not yet applied, for the latency figure. Consecutive commits
 * are grouped into buckets (100 ms of source time, widening to 1 s when the backlog is long), so memory stays small
 * however many transactions wait in the spool; the oldest bucket's first commit time bounds the true value from
 * below by at most one bucket width. Thread-safe.
 */
final class CommitTimeline {

    private static final long NARROW_MICROS = 100_000;
    private static final long WIDE_MICROS = 1_000_000;
    private static final int WIDEN_AFTER = 10_000;

    private static final class Bucket {
        final long firstCommitMicros;
        long lastEnd;

        Bucket(long firstCommitMicros, long lastEnd) {
            this.firstCommitMicros = firstCommitMicros;
            this.lastEnd = lastEnd;
        }
    }

    private final ArrayDeque<Bucket> buckets = new ArrayDeque<>();

    synchronized void received(Lsn endLsn, long commitTimeMicros) {
        Bucket last = buckets.peekLast();
        long width = buckets.size() > WIDEN_AFTER ? WIDE_MICROS : NARROW_MICROS;
        if (last != null && commitTimeMicros - last.firstCommitMicros < width) {
            last.lastEnd = Math.max(last.lastEnd, endLsn.value());
        } else {
            buckets.addLast(new Bucket(commitTimeMicros, endLsn.value()));
        }
    }

    /** Forgets buckets whose every transaction ends at or before {@code applied}. */
    synchronized void applied(Lsn applied) {
        while (!buckets.isEmpty() && Long.compareUnsigned(buckets.peekFirst().lastEnd, applied.value()) <= 0) {
            buckets.pollFirst();
        }
    }

    /** The source commit time (microseconds since 2000-01-01) of the oldest unapplied change, or -1 if none. */
    synchronized long oldestUnappliedMicros() {
        Bucket first = buckets.peekFirst();
        return first == null ? -1 : first.firstCommitMicros;
    }

    synchronized void clear() {
        buckets.clear();
    }
}
