package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a cutover records how far it got, so that a process killed in the middle finishes it instead of starting
 * over or giving up. {@link #targetComplete} is the point of no return: every change up to the end point is durably
 * applied and sequences, identity columns and materialized views are done; only the cleanup of the source and of
 * the progress record remains, which {@link OnlineReplication#completeInterruptedCutover} can finish after a restart
 * even though the slot may already be gone.
 */
public interface CutoverJournal {

    /** A journal that keeps nothing: a cutover interrupted after the point of no return cannot be finished later. */
    CutoverJournal NONE = new CutoverJournal() {
        @Override
        public void stepStarted(CutoverStep step) {
        }

        @Override
        public void targetComplete(Lsn endPoint, Lsn applied) {
        }
    };

    /** A step begins (for progress display). */
    void stepStarted(CutoverStep step);

    /**
     * Called on the cutover's own source session right before it reads the end point, for what must be read on the
     * source just before it (what the source had written, to tell later writes apart). A failure fails the cutover's
     * first step, before anything changed.
     */
    default void beforeEndPoint(Connection source) throws SQLException {
    }

    /** Must be durable when it returns: the source's replication objects are dropped right after. */
    void targetComplete(Lsn endPoint, Lsn applied);
}
