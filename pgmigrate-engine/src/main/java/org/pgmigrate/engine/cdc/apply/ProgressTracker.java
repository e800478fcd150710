package org.pgmigrate.engine.cdc.apply;

import java.sql.Connection;
import java.sql.SQLException;
import org.pgmigrate.engine.cdc.Lsn;

/** Records applied source positions on the target, in the transaction that applies them. */
interface ProgressTracker {

    /**
     * Sets up the applier's session (autocommit on) and returns the committed position: {@code initial} if none is
     * recorded or {@code reset} is set (a new slot: an earlier run's position means nothing now).
     */
    Lsn start(Connection session, Lsn initial, boolean reset) throws SQLException;

    /** Records {@code endLsn} (and the source commit time) in the open transaction, just before COMMIT. */
    void beforeCommit(Connection session, Lsn endLsn, long commitTimeMicros) throws SQLException;

    /** True when commits must be synchronous for {@link #durable} to be read from the committed position. */
    boolean synchronousCommit();

    /** The position whose commit is flushed on the target, read on another connection; null if none recorded. */
    Lsn durable(Connection other) throws SQLException;

    /**
     * Lets the applier's session go of what it holds, as it stops; a cutover then drops the record without waiting for
     * that backend to exit. Best effort: the drop waits for it otherwise.
     */
    default void release(Connection session) throws SQLException {
    }

    /** Removes the progress record (after cutover or cancel); the applier session must be closed. */
    void drop(Connection other) throws SQLException;

    ProgressTracking kind();
}
