package org.pgmigrate.engine.cdc.apply;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.pgmigrate.engine.threads.ContextThreads;
import org.slf4j.MDC;

/**
 * Runs the applier's batches on the target from a thread of its own, one at a time and in the order they were handed
 * over, so that the applier decodes and batches the next changes while the target executes the last ones. Before,
 * the two took turns: on a restart's backlog the applier thread waited for the target backend, the backend for the
 * applier, and one of the two cores idled (bench/RESULTS.md, "Issue 13, stop 21").
 *
 * <p>The connection sees the batches in the order of {@link #submit}, which is the order a synchronous applier sent
 * them, so nothing about what lands on the target or when it commits changes. Whoever else uses the connection
 * (catalog lookups, TRUNCATE, a COPY run, the group's COMMIT) calls {@link #await} first, so that the connection is
 * idle while they do. At most {@code maxRows} rows are in flight: memory stays that of two batches.
 *
 * <p>A failed batch makes every batch after it return unrun (their transaction is lost anyway), and the first
 * failure is thrown, as the batch threw it, to the applier thread at its next {@link #submit} or {@link #await}.
 * Applier thread only, apart from the runner thread it owns.
 */
final class BatchPipeline implements AutoCloseable {

    /** One batch's work on the connection. */
    @FunctionalInterface
    interface Work {
        void run() throws SQLException;
    }

    private record InFlight(Future<?> result, int rows) {
    }

    private final ExecutorService runner;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final int maxRows;
    private int rowsInFlight;
    private volatile boolean failed;

    /** {@code threadName} names the runner thread; it carries the caller's MDC (migration, database). */
    BatchPipeline(String threadName, int maxRows) {
        this.maxRows = Math.max(1, maxRows);
        this.runner = Executors.newSingleThreadExecutor(ContextThreads.daemonFactory(threadName));
    }

    /**
     * Queues {@code work} ({@code rows} rows) behind the batches in flight; first waits for the oldest ones while
     * there would be more than the bound in flight, and throws the failure of any batch that has ended failed.
     */
    void submit(int rows, Work work) throws SQLException {
        while (!inFlight.isEmpty() && (rowsInFlight + rows > maxRows || inFlight.peekFirst().result().isDone())) {
            awaitOldest();
        }
        Future<?> result = runner.submit(() -> {
            if (failed) {
                return null;
            }
            try {
                work.run();
            } catch (SQLException | RuntimeException | Error e) {
                failed = true;
                throw e;
            }
            return null;
        });
        inFlight.addLast(new InFlight(result, rows));
        rowsInFlight += rows;
    }

    /** Waits until every batch handed over has run: the connection is then idle. Throws the first failure. */
    void await() throws SQLException {
        while (!inFlight.isEmpty()) {
            awaitOldest();
        }
    }

    /** Waits until the runner is idle, ignoring failures: for a rollback of what was sent. */
    void discard() {
        failed = true; // what has not started yet is not run
        while (!inFlight.isEmpty()) {
            InFlight oldest = inFlight.removeFirst();
            rowsInFlight -= oldest.rows();
            try {
                getUninterruptibly(oldest.result());
            } catch (ExecutionException e) {
                // the group is rolled back: its failure no longer matters
            }
        }
        failed = false;
    }

    /** Lets a running batch end (its statement holds the connection), skips the rest and stops the thread. */
    @Override
    public void close() {
        failed = true;
        inFlight.clear();
        rowsInFlight = 0;
        runner.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (runner.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitOldest() throws SQLException {
        InFlight oldest = inFlight.removeFirst();
        rowsInFlight -= oldest.rows();
        try {
            getUninterruptibly(oldest.result());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause); // Work throws nothing else
        }
    }

    /**
     * Like a statement the applier ran itself, a batch on the target is not abandoned halfway because the thread was
     * interrupted: the interrupt is kept for the caller and the wait goes on.
     */
    private static void getUninterruptibly(Future<?> result) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    result.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
