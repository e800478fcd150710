package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.pgmigrate.cli.output.Plural;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;

/**
 * Progress as plain log lines, for pipes and CI logs: phases, each table as it completes, and the copy's totals when
 * it ends. The counts are the same exact ones the live view and the summary show. Thread-safe.
 */
final class LogProgress implements ProgressListener {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintWriter out;
    private final Map<String, Integer> totals = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> done = new ConcurrentHashMap<>();
    private final Map<String, long[]> earlier = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> rows = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> bytes = new ConcurrentHashMap<>();

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
        print(database, Plural.of(tables, "table") + " queued, ~" + ByteSize.format(totalBytes)
                + " (estimated from their size on disk)");
    }

    @Override
    public void copiedEarlier(String database, long earlierRows, long earlierBytes) {
        earlier.put(database, new long[] {earlierRows, earlierBytes});
        print(database, "resumed: earlier runs copied " + Plural.of(earlierRows, "row") + ", "
                + ByteSize.format(earlierBytes));
    }

    @Override
    public void rowsCopied(String database, String table, long newRows, long newBytes) {
        rows.computeIfAbsent(database, k -> new AtomicLong()).addAndGet(newRows);
        bytes.computeIfAbsent(database, k -> new AtomicLong()).addAndGet(newBytes);
    }

    @Override
    public void tableCompleted(String database, TableStats stats) {
        int n = done.computeIfAbsent(database, k -> new AtomicInteger()).incrementAndGet();
        print(database, String.format(Locale.ROOT, "copied %s: %s%s, %s in %s (%d/%d)", stats.table(),
                Plural.of(stats.rows(), "row"), stats.resumed()
                        ? String.format(Locale.ROOT, " (%,d this run)", stats.rowsThisRun()) : "",
                ByteSize.format(stats.bytes()), CloneSummary.seconds(stats.copyTime()), n, totals.getOrDefault(database, 0)));
    }

    @Override
    public void tableFailed(String database, String table, String message) {
        print(database, "FAILED " + table + ": " + message);
    }

    @Override
    public void phaseCompleted(String database, Phase phase, Duration took) {
        String name = phase.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (phase == Phase.COPY) {
            long[] before = earlier.getOrDefault(database, new long[] {0, 0});
            long thisRun = rows.computeIfAbsent(database, k -> new AtomicLong()).get();
            long copiedBytes = before[1] + bytes.computeIfAbsent(database, k -> new AtomicLong()).get();
            print(database, name + " done in " + CloneSummary.seconds(took) + ": " + Plural.of(before[0] + thisRun, "row")
                    + (before[0] > 0 ? String.format(Locale.ROOT, " (%,d this run)", thisRun) : "") + ", "
                    + ByteSize.format(copiedBytes));
        } else if (phase == Phase.VERIFY || phase == Phase.POST_DATA) {
            print(database, name + " done in " + CloneSummary.seconds(took));
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
