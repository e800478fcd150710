package org.pgmigrate.service.worker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks one running database job to stop, and remembers why: a user's cancel ends the database as Canceled, a
 * service shutdown leaves it InProgress so that the next start resumes it from its checkpoints. Thread-safe.
 */
final class StopSignal {

    enum Reason { CANCELED_BY_USER, SHUTDOWN }

    private final Set<Runnable> actions = ConcurrentHashMap.newKeySet();
    private volatile Reason reason;

    void stop(Reason why) {
        synchronized (this) {
            if (reason != null) {
                return;
            }
            reason = why;
        }
        for (Runnable action : actions) {
            action.run();
        }
    }

    boolean isStopped() {
        return reason != null;
    }

    Reason reason() {
        return reason;
    }

    /** Runs {@code action} on stop (at once if already stopped). */
    void onStop(Runnable action) {
        actions.add(action);
        if (reason != null) {
            action.run();
        }
    }
}
