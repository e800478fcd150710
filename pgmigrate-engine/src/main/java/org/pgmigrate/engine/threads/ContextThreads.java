package org.pgmigrate.engine.threads;

import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.slf4j.MDC;

/**
 * Threads that log in the context of the thread that made them. A log line names its migration and database
 * through slf4j's MDC, which belongs to one thread; a worker that does not take its creator's context over writes
 * lines that no one can attribute once several migrations run in one service. Every thread that works for a
 * migration (copy, index and verification workers, the change capture's helpers, the service's cutover display)
 * is made here.
 */
public final class ContextThreads {

    private ContextThreads() {
    }

    /**
     * A thread named {@code name} that runs {@code body} in the caller's logging context, daemon or not as the
     * caller is (as {@code new Thread} makes it); not started.
     */
    public static Thread newThread(String name, Runnable body) {
        return new Thread(inCallersContext(body), name);
    }

    /** As {@link #newThread}, but a daemon thread: one that must not keep the JVM from exiting. */
    public static Thread newDaemonThread(String name, Runnable body) {
        Thread thread = newThread(name, body);
        thread.setDaemon(true);
        return thread;
    }

    /** For an executor: daemon threads named {@code name}, each in the logging context of the caller of this. */
    public static ThreadFactory daemonFactory(String name) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        return body -> {
            Thread thread = new Thread(() -> runIn(context, body), name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private static Runnable inCallersContext(Runnable body) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        return () -> runIn(context, body);
    }

    private static void runIn(Map<String, String> context, Runnable body) {
        if (context != null) {
            MDC.setContextMap(context);
        }
        body.run();
    }
}
