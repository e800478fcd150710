package org.pgmigrate.engine.copy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.snapshot.DatabaseSessions;
import org.pgmigrate.engine.threads.ContextThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a COPY stuck on a dead link, which TCP keepalives cannot: while a copy worker writes into a link that
 * died, its bytes stay unacknowledged, and the kernel then waits out its retransmission timeout (about 15 minutes
 * on Linux) instead of probing; Java cannot set {@code TCP_USER_TIMEOUT}.
 *
 * <p>When no data of a part has moved for {@link #STALL}, the watch asks both servers, over new connections, what the
 * part's sessions are doing. If either backend is working (running the query, waiting for a lock or for disk), the
 * copy is slow, not stuck, and is left alone. If neither is (each is gone, or waits for the client, or its server
 * does not answer), no byte can be crossing: the watch drops both connections, the part fails with a lost
 * connection, and {@link DataCopy} retries it on new sessions.
 *
 * <p>One daemon thread per data phase; thread-safe.
 */
final class CopyStallWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CopyStallWatch.class);
    /** No data moved for this long: ask the servers. */
    static final Duration STALL = Duration.ofSeconds(20);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    private final DatabaseSessions sessions;
    private final Set<CopySessions> watched = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean closed;

    CopyStallWatch(DatabaseSessions sessions, String database) {
        this.sessions = sessions;
        this.thread = ContextThreads.newDaemonThread("pgmigrate-copy-watch-" + database, this::run);
    }

    void start() {
        thread.start();
    }

    /** Watches {@code s} while a part copies on it; the returned handle stops watching. */
    Runnable watch(CopySessions s) {
        s.moved();
        watched.add(s);
        return () -> watched.remove(s);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(CHECK_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            for (CopySessions s : watched) {
                if (System.nanoTime() - s.lastMovedNanos() >= STALL.toNanos() && s.abandonedBecause() == null) {
                    check(s);
                }
            }
        }
    }

    private void check(CopySessions s) {
        long lastMoved = s.lastMovedNanos();
        String target = state(sessions.target(), Side.TARGET, s.targetBackend());
        if (target == null) {
            return;
        }
        String source = state(sessions.source(), Side.SOURCE, s.sourceBackend());
        // Data moved meanwhile, or the part ended (the sessions may already carry the next one): not stuck.
        if (source == null || !watched.contains(s) || s.lastMovedNanos() != lastMoved) {
            return;
        }
        String because = "no data moved for " + STALL.toSeconds() + " s while the target server " + sessions.target().address()
                + " " + target + " and the source server " + sessions.source().address() + " " + source;
        log.warn("Dropping a stuck copy's connections: {}", because);
        s.abandon(because);
    }

    /**
     * What the backend is doing, as a phrase, when it is not working; null when it is (running, or waiting for a
     * lock or I/O: the copy is slow, not stuck).
     */
    private String state(PgEndpoint endpoint, Side side, CopySessions.Backend backend) {
        try (Connection c = sessions.connector().open(endpoint, side, "copy-watch")) {
            // wait_event_type came with 9.6; a 9.5 backend that waits for its client also shows as active, so a
            // 9.5 source is never taken for stuck (the target side still is).
            boolean waitEvents = ServerVersion.of(c).atLeast(9, 6);
            String waitsForClient = waitEvents ? "COALESCE(wait_event_type, '') = 'Client'" : "false";
            String waitEvent = waitEvents ? "wait_event" : "NULL::text";
            try (PreparedStatement ps = c.prepareStatement("SELECT state = 'active' AND NOT " + waitsForClient
                    + ", state, " + waitEvent + " FROM pg_catalog.pg_stat_activity WHERE pid = ? AND backend_start::text = ?")) {
                ps.setInt(1, backend.pid());
                ps.setString(2, backend.startedAt());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return "no longer had the session";
                    }
                    if (rs.getBoolean(1)) {
                        return null;
                    }
                    return "had the session " + rs.getString(2) + (rs.getString(3) == null ? "" : " (" + rs.getString(3) + ")");
                }
            }
        } catch (EngineException | SQLException e) {
            return "did not answer a new connection (" + e.getMessage() + ")";
        }
    }
}
