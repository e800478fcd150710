package org.pgmigrate.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;

/**
 * Asks a running migration to stop. {@link #cancel()} may be called from any thread (a Ctrl-C hook, an HTTP
 * request); the engine then cancels its server-side statements and COPYs, ends its child processes, and throws
 * {@link EngineException} with {@link EngineError#CANCELED}. Finished work stays checkpointed, so a later run
 * resumes.
 *
 * <p>Thread-safe.
 */
public final class Cancellation {

    private final Set<Runnable> actions = ConcurrentHashMap.newKeySet();
    private volatile boolean canceled;
    private volatile String reason = "canceled";

    public void cancel() {
        cancel("canceled");
    }

    public void cancel(String why) {
        reason = why;
        canceled = true;
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException ignored) {
                // best effort: the worker notices the flag at its next step anyway
            }
        }
    }

    public boolean isCanceled() {
        return canceled;
    }

    public void throwIfCanceled() {
        if (canceled) {
            throw new EngineException(EngineError.CANCELED, "The migration was " + reason + ".");
        }
    }

    /** Runs {@code action} on cancel (at once if already canceled); the returned handle unregisters it. */
    public Runnable onCancel(Runnable action) {
        actions.add(action);
        if (canceled) {
            action.run();
        }
        return () -> actions.remove(action);
    }

    /** On cancel, cancels whatever statement or COPY is running on {@code connection}. */
    public Runnable cancelStatementsOn(Connection connection) {
        return onCancel(() -> {
            try {
                connection.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException ignored) {
                // the connection is gone: nothing runs on it
            }
        });
    }
}
