package org.pgmigrate.engine.cdc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.pgmigrate.engine.pg.ConnectionLoss;
import org.slf4j.Logger;

/**
 * Exponential backoff (0.5 s doubling to 30 s) for a lost connection. Within {@code budget}, counted from the first
 * failure since the last success, it retries quietly; after it, it reports replication paused (through
 * {@code paused}) and goes on retrying every 30 s (or every {@code budget}, if shorter): an unreachable server pauses a migration, it never fails it and
 * never costs its replication slot. The next success clears the pause. One per thread; not thread-safe.
 */
public final class Reconnect {

    private static final long FIRST_PAUSE_MILLIS = 500;
    private static final long MAX_PAUSE_MILLIS = 30_000;

    private final Duration budget;
    private final String what;
    private final String meanwhile;
    private final Consumer<String> paused;
    private long firstFailureNanos;
    private int attempt;
    private boolean reportedPaused;

    /**
     * @param what      names the connection for messages ("the target server 10.0.0.5:5432")
     * @param meanwhile what happens to changes while it is paused, for the message
     * @param paused    receives the pause message, and null when the connection works again
     */
    public Reconnect(Duration budget, String what, String meanwhile, Consumer<String> paused) {
        this.budget = budget;
        this.what = what;
        this.meanwhile = meanwhile;
        this.paused = paused;
    }

    /** True when {@code t} (or a cause) says the connection broke; see {@link ConnectionLoss#isLost}. */
    public static boolean isConnectionLost(Throwable t) {
        return ConnectionLoss.isLost(t);
    }

    /** Call after a working period, so the next failure gets a fresh budget; ends a reported pause. */
    public void succeeded() {
        attempt = 0;
        firstFailureNanos = 0;
        if (reportedPaused) {
            reportedPaused = false;
            paused.accept(null);
        }
    }

    /**
     * Logs the failure and sleeps before the next attempt; once the budget is spent, reports the pause and retries
     * every 30 s. Returns early (false) when {@code stopped} turns true.
     */
    public boolean pause(Throwable cause, BooleanSupplier stopped, Logger log) {
        long now = System.nanoTime();
        if (attempt == 0) {
            firstFailureNanos = now;
        }
        attempt++;
        long elapsed = now - firstFailureNanos;
        long pause;
        if (elapsed >= budget.toNanos()) {
            // Every 30 s, or as often as the window itself when that is shorter (tests, impatient setups).
            pause = Math.max(1000, Math.min(MAX_PAUSE_MILLIS, budget.toMillis()));
            String message = "Paused: lost the connection to " + what + " " + minutes(elapsed) + " ago and could not"
                    + " reconnect (" + attempt + " attempts; last error: " + message(cause) + "). Retrying every "
                    + pause / 1000 + " s; " + meanwhile + " Nothing is lost.";
            paused.accept(message);
            if (!reportedPaused) {
                log.error("{}", message);
            }
            reportedPaused = true;
        } else {
            pause = Math.min(MAX_PAUSE_MILLIS, FIRST_PAUSE_MILLIS << Math.min(attempt - 1, 10));
            log.warn("Lost the connection to {} ({}); reconnecting in {} ms, attempt {} (reported as paused after {}"
                    + " s)", what, message(cause), pause, attempt, budget.toSeconds());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause);
        while (System.nanoTime() < deadline) {
            if (stopped.getAsBoolean()) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return !stopped.getAsBoolean();
    }

    private static String minutes(long nanos) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(nanos);
        return seconds < 120 ? seconds + " s" : seconds / 60 + " min";
    }

    private static String message(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }
}
