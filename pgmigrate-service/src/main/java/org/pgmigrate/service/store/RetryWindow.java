package org.pgmigrate.service.store;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How both stores wait out a store that fails for a while (SQLite busy or its disk full; PostgreSQL unreachable,
 * restarting or out of connections): the attempt is retried with a growing pause (200 ms to 5 s) for up to the
 * window, without holding anything between attempts, then reported as {@link StoreUnavailableException}, a condition
 * the workers wait out and the API answers with 503. Thread-safe.
 */
public final class RetryWindow {

    private static final Logger LOG = LoggerFactory.getLogger(RetryWindow.class);

    private RetryWindow() {
    }

    /** An attempt failed in a way that may pass: retry it. */
    public static final class TransientFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TransientFailure(Exception cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /**
     * Runs {@code attempt} until it returns or throws anything but {@link TransientFailure}, for at most
     * {@code window}. {@code hint} ends the message of the {@link StoreUnavailableException}.
     */
    public static <T> T run(String store, Duration window, String hint, Supplier<T> attempt) {
        long started = System.nanoTime();
        long backoff = 200;
        while (true) {
            try {
                return attempt.get();
            } catch (TransientFailure e) {
                long elapsed = System.nanoTime() - started;
                if (elapsed >= window.toNanos()) {
                    throw new StoreUnavailableException("The service's store " + store + " is unavailable: "
                            + e.getCause().getMessage() + " (for " + TimeUnit.NANOSECONDS.toSeconds(elapsed) + " s). "
                            + hint, e.getCause());
                }
                LOG.warn("Store {} busy or failing ({}); retrying in {} ms", store, e.getCause().getMessage(), backoff);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(5_000, backoff * 2);
            }
        }
    }
}
