package org.pgmigrate.engine.cdc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The threads of one database's replication, named {@code pgmigrate-cdc-<role>-<db>} and carrying the migration and
 * database in MDC: the receiver, the applier, and the monitor's scheduler. Stopping follows one order: ask the task
 * to stop, join with a timeout, warn if it overstays. Used under the owner's lock; not thread-safe.
 */
final class ReplicationThreads {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationThreads.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final String database;
    private final Map<String, String> mdc;
    private Thread receiver;
    private Thread applier;
    private ScheduledExecutorService monitor;

    ReplicationThreads(String database, Map<String, String> mdc) {
        this.database = database;
        this.mdc = mdc;
    }

    void startReceiver(Runnable body) {
        receiver = thread("receive", withMdc(body));
        receiver.start();
    }

    void startApplier(Runnable body) {
        applier = thread("apply", withMdc(body));
        applier.start();
    }

    void startMonitor(Runnable task, Duration interval) {
        monitor = Executors.newSingleThreadScheduledExecutor(r -> thread("monitor", r));
        monitor.scheduleWithFixedDelay(withMdc(task), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for the applier thread, which was asked to stop. */
    void joinApplier() {
        join(applier);
    }

    /** Waits for the receiver thread, which was asked to stop. */
    void joinReceiver() {
        join(receiver);
    }

    /** Shuts the monitor's scheduler down and waits for a running check to end. */
    void stopMonitor() {
        if (monitor == null) {
            return;
        }
        monitor.shutdown();
        try {
            if (!monitor.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("The replication monitor of {} did not stop in {} s", database, STOP_WAIT.toSeconds());
                monitor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            monitor.shutdownNow();
        }
        monitor = null;
    }

    private static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(STOP_WAIT.toMillis());
            if (t.isAlive()) {
                LOG.warn("Thread {} did not stop in {} s", t.getName(), STOP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Thread thread(String role, Runnable body) {
        Thread t = new Thread(body, "pgmigrate-cdc-" + role + "-" + database);
        t.setDaemon(true);
        return t;
    }

    private Runnable withMdc(Runnable body) {
        return () -> {
            mdc.forEach(MDC::put);
            try {
                body.run();
            } finally {
                MDC.clear();
            }
        };
    }
}
