package org.pgmigrate.service.worker;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pgmigrate.engine.cdc.CutoverStep;
import org.pgmigrate.engine.threads.ContextThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows the step a database's cutover is in ({@code migrationOperation} "Cutting over: ...") once the step has
 * lasted {@link #SHOW_AFTER} (100 ms): a write of the migration's record takes 7-17 ms (serialized, written, fsynced)
 * and holds the store, whose records the cutover itself writes between its steps (they waited 5-9 ms each behind
 * the steps' writes, bench/RESULTS.md, "Issue 13, stop 22"); the seven steps of an idle database's cutover take
 * 5-80 ms each, so none is written. A step that takes long (a drain, a materialized view's refresh) still shows while
 * it runs. The writes run on a thread of their own; {@link #close} drops the ones not due and waits for one being
 * written, so that what the caller writes after it (the outcome) is never overwritten by a step.
 */
final class CutoverStepDisplay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverStepDisplay.class);
    static final Duration SHOW_AFTER = Duration.ofMillis(100);
    private static final long CLOSE_WAIT_SECONDS = 60;

    private final RunControl run;
    private final String db;
    private final Duration showAfter;
    /** Which step is the current one: a step's write is due only while it still is. */
    private final AtomicLong current = new AtomicLong();
    private final ScheduledThreadPoolExecutor writer;

    CutoverStepDisplay(RunControl run, String db) {
        this(run, db, SHOW_AFTER);
    }

    CutoverStepDisplay(RunControl run, String db, Duration showAfter) {
        this.run = run;
        this.db = db;
        this.showAfter = showAfter;
        this.writer = new ScheduledThreadPoolExecutor(1,
                ContextThreads.daemonFactory("pgmigrate-cutover-display-" + db));
        writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** The cutover entered {@code step}: shown if it is still the current step {@code showAfter} from now. */
    void show(CutoverStep step) {
        long mine = current.incrementAndGet();
        try {
            writer.schedule(() -> {
                if (current.get() == mine) {
                    write(step);
                }
            }, showAfter.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed: the outcome is being written
        }
    }

    private void write(CutoverStep step) {
        try {
            run.updateDatabase(db, x -> x.withOperation("Cutting over: " + step.description()));
        } catch (RuntimeException e) {
            // only the display of a step: the cutover's own writes, on its thread, meet the same problem and report it
            LOG.debug("Could not show cutover step '{}' of database {}: {}", step.description(), db, e.toString());
        }
    }

    /** Drops the steps not shown yet and waits for one being written. Idempotent. */
    @Override
    public void close() {
        current.incrementAndGet();
        writer.shutdown();
        try {
            if (!writer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("The display of database {}'s cutover step did not finish in {} s", db, CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
