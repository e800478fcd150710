package org.pgmigrate.engine.copy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.snapshot.DatabaseSessions;

/**
 * One copy worker's two sessions: a source session inside the migration's snapshot and a target session, both with
 * the database's own client encoding, and registered with the copy's {@link Cancellation}. Knows each session's
 * backend (pid and start time), so that the stall watch can ask the servers about them and a retry can end the
 * target backend of a failed attempt. Records when data last moved.
 *
 * <p>Owned by one worker; {@link #moved} and {@link #abandon} may also be called by the stall watch.
 */
final class CopySessions {

    /** A server process, told apart from a later one that reuses its pid by its start time. */
    record Backend(int pid, String startedAt) {
    }

    private final Connection source;
    private final Connection target;
    private final Backend sourceBackend;
    private final Backend targetBackend;
    private final Runnable unregister;
    private volatile long lastMovedNanos = System.nanoTime();
    private volatile String abandonedBecause;

    private CopySessions(Connection source, Connection target, Backend sourceBackend, Backend targetBackend,
                         Runnable unregister) {
        this.source = source;
        this.target = target;
        this.sourceBackend = sourceBackend;
        this.targetBackend = targetBackend;
        this.unregister = unregister;
    }

    /**
     * Opens both sessions. Rows travel as the database's own bytes: no conversion to UTF-8 and back, and no
     * rejection of bytes a SQL_ASCII database may hold.
     */
    static CopySessions open(DatabaseSessions sessions, String encoding, Cancellation stop) throws SQLException {
        Connection source = sessions.sourceInSnapshot("copy");
        Connection target = null;
        try {
            target = sessions.target("copy");
            Backend s = prepare(source, encoding);
            Backend t = prepare(target, encoding);
            Runnable unSource = stop.cancelStatementsOn(source);
            Runnable unTarget = stop.cancelStatementsOn(target);
            return new CopySessions(source, target, s, t, () -> {
                unSource.run();
                unTarget.run();
            });
        } catch (SQLException | RuntimeException e) {
            closeQuietly(source, e);
            if (target != null) {
                closeQuietly(target, e);
            }
            throw e;
        }
    }

    private static Backend prepare(Connection c, String encoding) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET client_encoding = " + Identifiers.literal(encoding));
            try (ResultSet rs = s.executeQuery("SELECT pid, backend_start::text FROM pg_catalog.pg_stat_activity"
                    + " WHERE pid = pg_catalog.pg_backend_pid()")) {
                rs.next();
                return new Backend(rs.getInt(1), rs.getString(2));
            }
        }
    }

    Connection source() {
        return source;
    }

    Connection target() {
        return target;
    }

    Backend sourceBackend() {
        return sourceBackend;
    }

    Backend targetBackend() {
        return targetBackend;
    }

    /** Data moved just now (a row read, a buffer written). */
    void moved() {
        lastMovedNanos = System.nanoTime();
    }

    long lastMovedNanos() {
        return lastMovedNanos;
    }

    /** Why the stall watch cut these sessions, or null. */
    String abandonedBecause() {
        return abandonedBecause;
    }

    /** Closes both sessions normally. */
    void close() {
        unregister.run();
        closeQuietly(source, null);
        closeQuietly(target, null);
    }

    /**
     * Drops both connections at once, without a goodbye to either server: a blocked read or write on them fails
     * now. What a failed attempt's sessions get, since their link may be dead (a polite close would block on it).
     */
    void abandon(String because) {
        if (because != null && abandonedBecause == null) {
            abandonedBecause = because;
        }
        unregister.run();
        for (Connection c : new Connection[] {source, target}) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException ignored) {
                // already closed
            }
        }
    }

    private static void closeQuietly(Connection c, Exception cause) {
        try {
            c.close();
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }
}
