package org.pgmigrate.service.portal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationMode;

/**
 * The latency and pending bytes of each online database over the last {@code window}, as the portal's chart draws
 * them. The API reports only the current values, so this keeps recent ones: a bounded queue of samples per
 * database, fed with the active migrations at a fixed interval. A migration that is no longer active keeps its
 * samples for one more window (its page still shows how it ended), then they are forgotten. In memory only: a
 * restarted service starts with none. Thread-safe.
 */
final class ReplicationHistory {

    /** One point of the chart. */
    record Sample(Instant time, long latencySeconds, long pendingBytes) {
    }

    private final int capacity;
    private final Duration window;
    /** migrationId -> database -> samples, oldest first. */
    private final Map<String, Map<String, ArrayDeque<Sample>>> samples = new LinkedHashMap<>();
    private final Map<String, Instant> lastRecorded = new LinkedHashMap<>();

    ReplicationHistory(Duration interval, Duration window) {
        this.capacity = (int) Math.max(2, window.toMillis() / Math.max(1, interval.toMillis()));
        this.window = window;
    }

    /** Adds a sample for every database of {@code active}'s online migrations that has not finished. */
    synchronized void record(Instant now, Collection<Migration> active) {
        Set<String> seen = new HashSet<>();
        for (Migration m : active) {
            if (m.spec().migrationMode() != MigrationMode.ONLINE || !m.isActive()) {
                continue;
            }
            seen.add(m.migrationId());
            Map<String, ArrayDeque<Sample>> dbs = samples.computeIfAbsent(m.migrationId(), id -> new LinkedHashMap<>());
            for (DatabaseDetails d : m.dbDetails().values()) {
                if (d.migrationState().isFinished()) {
                    continue;
                }
                ArrayDeque<Sample> q = dbs.computeIfAbsent(d.databaseName(), db -> new ArrayDeque<>());
                if (q.size() == capacity) {
                    q.removeFirst();
                }
                q.addLast(new Sample(now, d.latency(), d.pendingBytes()));
            }
            lastRecorded.put(m.migrationId(), now);
        }
        for (Iterator<Map.Entry<String, Instant>> it = lastRecorded.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Instant> e = it.next();
            if (!seen.contains(e.getKey()) && e.getValue().plus(window).isBefore(now)) {
                samples.remove(e.getKey());
                it.remove();
            }
        }
    }

    /** Each database's samples taken after {@code since} (all when null), oldest first. */
    synchronized Map<String, List<Sample>> samples(String migrationId, Instant since) {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        samples.getOrDefault(migrationId, Map.of()).forEach((db, q) -> {
            List<Sample> list = new ArrayList<>();
            for (Sample s : q) {
                if (since == null || s.time().isAfter(since)) {
                    list.add(s);
                }
            }
            out.put(db, list);
        });
        return out;
    }
}
