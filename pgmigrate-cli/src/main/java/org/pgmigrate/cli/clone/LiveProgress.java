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
 * Progress bars on a terminal: per database, the phase, a bar of bytes copied, tables done, rows, throughput and
 * ETA, redrawn in place twice a second by its own daemon thread. Thread-safe: engine workers only bump counters.
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
        if (phase == Phase.VERIFY) {
            db(database).phase = null;
        }
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
            out.println(line(e.getKey(), e.getValue()));
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

    private static String line(String name, DatabaseProgress p) {
        long bytes = p.bytes.get();
        double fraction = p.totalBytes == 0 ? (p.tables > 0 && p.tablesDone.get() == p.tables ? 1 : 0)
                : Math.min(1, (double) bytes / p.totalBytes);
        int filled = (int) (fraction * BAR);
        double seconds = p.copyStart == 0 ? 0 : (System.nanoTime() - p.copyStart) / 1e9;
        double rate = seconds > 0 ? bytes / seconds : 0;
        String eta = rate > 0 && fraction < 1 ? String.format(Locale.ROOT, "ETA %ds", (long) ((p.totalBytes - bytes) / rate)) : "";
        String phase = p.phase == null ? "done" : p.phase.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return String.format(Locale.ROOT, "%-16s %-13s [%s%s] %3d%% tables %d/%d rows %,d %s %s/s idx %d %s",
                abbreviate(name), phase, "#".repeat(filled), ".".repeat(BAR - filled), (int) (fraction * 100),
                p.tablesDone.get(), p.tables, p.rows.get(), ByteSize.format(bytes), ByteSize.format((long) rate),
                p.indexesDone.get(), eta);
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 15) + "~";
    }

    private static final class DatabaseProgress {
        volatile Phase phase;
        volatile int tables;
        volatile long totalBytes;
        volatile long copyStart;
        final AtomicInteger tablesDone = new AtomicInteger();
        final AtomicInteger indexesDone = new AtomicInteger();
        final AtomicLong rows = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
    }
}
