package org.pgmigrate.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /** How long cancel requests keep being re-sent to connections still in use after a cancel. */
    private static final long REPEAT_MILLIS = 60_000;
    private static final long REPEAT_EVERY_MILLIS = 500;

    private final Set<Runnable> actions = ConcurrentHashMap.newKeySet();
    private final Set<Runnable> statementCancels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean repeating = new AtomicBoolean();
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
        repeatStatementCancels();
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

    /**
     * On cancel, cancels whatever statement or COPY is running on {@code connection}, and keeps doing so until the
     * returned handle unregisters it (see {@link #repeatStatementCancels}).
     */
    public Runnable cancelStatementsOn(Connection connection) {
        Runnable action = () -> {
            try {
                connection.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException ignored) {
                // the connection is gone: nothing runs on it
            }
        };
        statementCancels.add(action);
        Runnable unregister = onCancel(action);
        return () -> {
            statementCancels.remove(action);
            unregister.run();
        };
    }

    /**
     * A cancel request stops only the statement running at that instant. A worker caught between two statements
     * would start the next one anyway, and if that one waits for a lock, it waits forever. So cancels are re-sent
     * every half second to the connections still registered, until their workers let go of them (for at most a
     * minute).
     */
    private void repeatStatementCancels() {
        if (!repeating.compareAndSet(false, true)) {
            return;
        }
        Thread repeater = new Thread(() -> {
            long deadline = System.currentTimeMillis() + REPEAT_MILLIS;
            while (!statementCancels.isEmpty() && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(REPEAT_EVERY_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                statementCancels.forEach(Runnable::run);
            }
        }, "pgmigrate-cancel-repeat");
        repeater.setDaemon(true);
        repeater.start();
    }
}
