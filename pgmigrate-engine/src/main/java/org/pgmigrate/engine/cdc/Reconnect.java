package org.pgmigrate.engine.cdc;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.slf4j.Logger;

/**
 * Exponential backoff (0.5 s doubling to 30 s) for a lost connection, within a total budget counted from the first
 * failure since the last success. One per thread; not thread-safe.
 */
public final class Reconnect {

    private static final long FIRST_PAUSE_MILLIS = 500;
    private static final long MAX_PAUSE_MILLIS = 30_000;

    private final Duration budget;
    private final String what;
    private final EngineError givingUp;
    private long firstFailureNanos;
    private int attempt;

    /** {@code what} names the connection for messages ("the source", "the target"). */
    public Reconnect(Duration budget, String what, EngineError givingUp) {
        this.budget = budget;
        this.what = what;
        this.givingUp = givingUp;
    }

    /** True when {@code t} (or a cause) says the connection broke, as opposed to the server refusing a statement. */
    public static boolean isConnectionLost(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EngineException e && (e.error() == EngineError.SOURCE_UNREACHABLE
                    || e.error() == EngineError.TARGET_UNREACHABLE)) {
                return true;
            }
            if (c instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                // 08: connection exceptions; 57P01-03: the backend was terminated or the server shut down.
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Call after a working period, so the next failure gets a fresh budget. */
    public void succeeded() {
        attempt = 0;
        firstFailureNanos = 0;
    }

    /**
     * Logs the failure and sleeps before the next attempt; throws {@link EngineException} when the budget is spent.
     * Returns early (false) when {@code stopped} turns true.
     */
    public boolean pause(Throwable cause, BooleanSupplier stopped, Logger log) {
        long now = System.nanoTime();
        if (attempt == 0) {
            firstFailureNanos = now;
        }
        attempt++;
        long elapsed = now - firstFailureNanos;
        if (elapsed >= budget.toNanos()) {
            throw new EngineException(givingUp, "Lost the connection to " + what + " and could not reconnect within "
                    + budget.toSeconds() + " s (" + attempt + " attempts): " + message(cause) + ". The replication slot"
                    + " is kept; resume the migration once the server is reachable.", cause);
        }
        long pause = Math.min(MAX_PAUSE_MILLIS, FIRST_PAUSE_MILLIS << Math.min(attempt - 1, 10));
        log.warn("Lost the connection to {} ({}); reconnecting in {} ms, attempt {} (giving up after {} s)", what,
                message(cause), pause, attempt, budget.toSeconds());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause);
        while (System.nanoTime() < deadline) {
            if (stopped.getAsBoolean()) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return !stopped.getAsBoolean();
    }

    private static String message(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }
}
