package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Supplier;
import org.pgmigrate.engine.cdc.ReplicationStats;

/**
 * The live view of change capture while the online demo or {@code clone --follow} runs: latency, pending WAL
 * bytes, changes received and applied by kind, and the demo's write load (none for a clone). On a terminal one line is redrawn in place twice a second; otherwise
 * a log line is printed every second. Remembers the highest latency it saw.
 *
 * <p>Thread-safe: its own daemon thread paints; {@link #close()} stops it and prints the last state.
 */
final class ReplicationView implements AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintWriter out;
    private final boolean terminal;
    private final Supplier<ReplicationStats> stats;
    private final ShopWriteLoad load;
    private final Thread painter;
    private volatile boolean running = true;
    private volatile Duration peakLatency = Duration.ZERO;
    private boolean lineDrawn;

    /** @param load the demo's write load, shown beside the counters; null for none */
    ReplicationView(PrintWriter out, boolean terminal, Supplier<ReplicationStats> stats, ShopWriteLoad load) {
        this.out = out;
        this.terminal = terminal;
        this.stats = stats;
        this.load = load;
        this.painter = new Thread(this::paintLoop, "pgmigrate-demo-view");
        painter.setDaemon(true);
    }

    void start() {
        painter.start();
    }

    /** The highest latency shown so far. */
    Duration peakLatency() {
        return peakLatency;
    }

    /** Prints a message between the view's lines (on a terminal: above the redrawn line). */
    synchronized void say(String message) {
        clear();
        out.println(message);
        out.flush();
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
        paint(true);
    }

    private void paintLoop() {
        long intervalMillis = terminal ? 500 : 1000;
        while (running) {
            paint(false);
            try {
                Thread.sleep(intervalMillis); // the cadence of a display, not synchronization
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void paint(boolean last) {
        ReplicationStats s = stats.get();
        if (s.latency().compareTo(peakLatency) > 0) {
            peakLatency = s.latency();
        }
        clear();
        String line = line(s);
        if (terminal && !last) {
            out.print(line + "\n");
            lineDrawn = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void clear() {
        if (terminal && lineDrawn) {
            out.print("\033[1A\033[2K");
            lineDrawn = false;
        }
    }

    String line(ReplicationStats s) {
        String counters = String.format(Locale.ROOT,
                "  %s latency %5.1fs  pending %9s  applied %,d of %,d changes (%,d inserts, %,d updates, %,d deletes)",
                LocalTime.now().format(TIME), s.latency().toMillis() / 1000.0, ByteSize.format(s.pendingBytes()),
                s.appliedChanges(), s.incomingChanges(), s.cdcInsertCounter(), s.cdcUpdateCounter(),
                s.cdcDeleteCounter());
        return load == null ? counters : counters + String.format(Locale.ROOT, "  source: %,d transactions, %s",
                load.transactions.get(), load.running() ? "writing" : "writes stopped");
    }
}
