package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;

/** Progress as plain log lines, for pipes and CI logs: phases, and each table as it completes. Thread-safe. */
final class LogProgress implements ProgressListener {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintWriter out;
    private final Map<String, Integer> totals = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> done = new ConcurrentHashMap<>();

    LogProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void phaseStarted(String database, Phase phase) {
        print(database, "phase " + phase.name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }

    @Override
    public void tablesQueued(String database, int tables, long totalBytes) {
        totals.put(database, tables);
        print(database, tables + " tables queued, " + ByteSize.format(totalBytes));
    }

    @Override
    public void tableCompleted(String database, TableStats stats) {
        int n = done.computeIfAbsent(database, k -> new AtomicInteger()).incrementAndGet();
        print(database, String.format(Locale.ROOT, "copied %s: %d rows, %s in %s (%d/%d)", stats.table(), stats.rows(),
                ByteSize.format(stats.bytes()), CloneSummary.seconds(stats.copyTime()), n, totals.getOrDefault(database, 0)));
    }

    @Override
    public void tableFailed(String database, String table, String message) {
        print(database, "FAILED " + table + ": " + message);
    }

    @Override
    public void phaseCompleted(String database, Phase phase, Duration took) {
        if (phase == Phase.COPY || phase == Phase.VERIFY || phase == Phase.POST_DATA) {
            print(database, phase.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " done in " + CloneSummary.seconds(took));
        }
    }

    @Override
    public void notice(String database, String message) {
        print(database, "NOTE " + message);
    }

    private synchronized void print(String database, String message) {
        out.println(LocalTime.now().format(TIME) + " [" + database + "] " + message);
        out.flush();
    }
}
