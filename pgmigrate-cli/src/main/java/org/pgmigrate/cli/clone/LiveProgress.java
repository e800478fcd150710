package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;

/**
 * Progress bars on a terminal: per database, the phase, a bar of bytes copied, tables done, rows, bytes, throughput
 * and ETA, redrawn in place twice a second by its own daemon thread. Every number is exact: rows count what landed
 * on the target (a resumed clone's earlier runs included, and this run's said apart), and the total bytes, an
 * estimate from the tables' size on disk while the copy runs (shown with "~"), become the bytes copied when it ends,
 * so a finished copy reads 100%. Thread-safe: engine workers only bump counters.
 */
final class LiveProgress implements ProgressListener, AutoCloseable {

    private static final int BAR = 30;

    private final PrintWriter out;
    private final Map<String, DatabaseProgress> databases = new ConcurrentHashMap<>();
    private final Thread painter;
    private volatile boolean running = true;
    private int linesDrawn;

    LiveProgress(PrintWriter out) {
        this.out = out;
        this.painter = new Thread(this::paintLoop, "pgmigrate-progress");
        painter.setDaemon(true);
        painter.start();
    }

    @Override
    public void phaseStarted(String database, Phase phase) {
        db(database).phase = phase;
    }

    @Override
    public void tablesQueued(String database, int tables, long totalBytes) {
        DatabaseProgress p = db(database);
        p.tables = tables;
        p.totalBytes = totalBytes;
        p.copyStart = System.nanoTime();
    }

    @Override
    public void copiedEarlier(String database, long rows, long bytes) {
        DatabaseProgress p = db(database);
        p.earlierRows = rows;
        p.earlierBytes = bytes;
    }

    @Override
    public void rowsCopied(String database, String table, long rows, long bytes) {
        DatabaseProgress p = db(database);
        p.rows.addAndGet(rows);
        p.bytes.addAndGet(bytes);
    }

    @Override
    public void tableCompleted(String database, TableStats stats) {
        db(database).tablesDone.incrementAndGet();
    }

    @Override
    public void indexesBuilt(String database, String table, int indexes, Duration took) {
        db(database).indexesDone.addAndGet(indexes);
    }

    @Override
    public void phaseCompleted(String database, Phase phase, Duration took) {
        DatabaseProgress p = db(database);
        if (phase == Phase.COPY) {
            // The copy's own count replaces the estimate: a finished copy reads 100%.
            p.copyEnd = System.nanoTime();
            p.totalBytes = p.earlierBytes + p.bytes.get();
            p.copied = true;
        } else if (phase == Phase.VERIFY) {
            p.phase = null;
        }
    }

    /** The database was copied and proven (or copied, with --skip-verify): its line says done. */
    void finished(String database) {
        db(database).phase = null;
    }

    @Override
    public void notice(String database, String message) {
        synchronized (this) {
            clear();
            out.println("Note (" + database + "): " + message);
            out.flush();
        }
    }

    @Override
    public void close() {
        running = false;
        painter.interrupt();
        try {
            painter.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        paint();
        out.flush();
    }

    private DatabaseProgress db(String name) {
        return databases.computeIfAbsent(name, k -> new DatabaseProgress());
    }

    private void paintLoop() {
        while (running) {
            paint();
            try {
                Thread.sleep(500); // redraw cadence of a display, not synchronization
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void paint() {
        clear();
        for (Map.Entry<String, DatabaseProgress> e : databases.entrySet()) {
            out.println(line(e.getKey(), e.getValue(), System.nanoTime()));
            linesDrawn++;
        }
        out.flush();
    }

    private void clear() {
        for (int i = 0; i < linesDrawn; i++) {
            out.print("\033[1A\033[2K");
        }
        linesDrawn = 0;
    }

    /** The line of one database, as it reads at {@code now}. */
    static String line(String name, DatabaseProgress p, long now) {
        String phase = p.phase == null ? "done" : p.phase.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (p.copyStart == 0) {
            return String.format(Locale.ROOT, "%-16s %s", abbreviate(name), phase); // before the copy: nothing to count
        }
        long thisRun = p.bytes.get();
        long bytes = p.earlierBytes + thisRun;
        long total = p.totalBytes;
        double fraction;
        if (p.copied) {
            fraction = 1;
        } else {
            // An estimate until the copy ends: never "100%" before it does.
            fraction = total == 0 ? 0 : Math.min(0.99, (double) bytes / total);
        }
        int filled = (int) (fraction * BAR);
        long end = p.copied ? p.copyEnd : now;
        double seconds = (end - p.copyStart) / 1e9;
        double rate = seconds > 0 ? thisRun / seconds : 0;
        String eta = !p.copied && rate > 0 && total > bytes
                ? String.format(Locale.ROOT, " ETA ~%ds", (long) ((total - bytes) / rate)) : "";
        String percent = (p.copied ? "" : "~") + (int) (fraction * 100) + "%";
        String size = p.copied ? ByteSize.format(bytes) : ByteSize.format(bytes) + " of ~" + ByteSize.format(total);
        long rows = p.earlierRows + p.rows.get();
        String rowCount = String.format(Locale.ROOT, "%,d", rows)
                + (p.earlierRows > 0 ? String.format(Locale.ROOT, " (%,d this run)", p.rows.get()) : "");
        return String.format(Locale.ROOT, "%-16s %-13s [%s%s] %4s tables %d/%d rows %s %s %s/s idx %d%s",
                abbreviate(name), phase, "#".repeat(filled), ".".repeat(BAR - filled), percent, p.tablesDone.get(),
                p.tables, rowCount, size, ByteSize.format((long) rate), p.indexesDone.get(), eta);
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 15) + "~";
    }

    /** What one database has done so far; written by engine threads, read by the painter. */
    static final class DatabaseProgress {
        volatile Phase phase;
        volatile int tables;
        volatile long totalBytes;
        volatile long copyStart;
        volatile long copyEnd;
        volatile boolean copied;
        volatile long earlierRows;
        volatile long earlierBytes;
        final AtomicInteger tablesDone = new AtomicInteger();
        final AtomicInteger indexesDone = new AtomicInteger();
        final AtomicLong rows = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
    }
}
