package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.pgmigrate.engine.threads.ContextThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says who {@code CREATE_REPLICATION_SLOT} waits for. The slot's initial snapshot cannot be built while transactions
 * that hold a transaction id and were running when it started are still open, and the command then waits silently,
 * for as long as, say, an idle session keeps a write transaction open. While the slot is being created, this polls
 * (on a thread it owns, with a connection of its own to the source) the sessions the walsender waits for
 * ({@code pg_blocking_pids}) and prepared transactions, and each time that set changes passes a message naming them
 * (pid, user, state and since when, application_name, the start of the query) and how to end them to
 * {@code notices}.
 *
 * <p>Thread-safe; {@link #close()} stops and joins the thread.
 */
final class SlotCreationWait implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotCreationWait.class);
    private static final int QUERY_EXCERPT = 120;

    private final Connection observer;
    private final int walsenderPid;
    private final String slot;
    private final String address;
    private final Consumer<String> notices;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * @param observer     a connection to the source that nobody else uses until {@link #close()}
     * @param walsenderPid the backend pid of the replication connection that runs CREATE_REPLICATION_SLOT
     */
    SlotCreationWait(Connection observer, int walsenderPid, String slot, String address, String database,
                     Consumer<String> notices, Duration interval) {
        this.observer = observer;
        this.walsenderPid = walsenderPid;
        this.slot = slot;
        this.address = address;
        this.notices = notices;
        this.interval = interval;
        this.thread = ContextThreads.newDaemonThread("pgmigrate-cdc-slotwait-" + database, this::watch);
        thread.start();
    }

    private void watch() {
        String last = "";
        while (pause()) {
            try {
                List<String> blockers = blockers();
                String key = String.join("|", blockers);
                if (!blockers.isEmpty() && !key.equals(last)) {
                    String message = message(blockers);
                    LOG.warn("{}", message);
                    notices.accept(message);
                }
                last = key;
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Cannot tell what slot creation waits for: {}", e.getMessage());
            }
        }
    }

    /** Waits one interval; false once stopped. */
    private synchronized boolean pause() {
        if (stopped) {
            return false;
        }
        try {
            wait(Math.max(1, interval.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !stopped;
    }

    /** One description per session or prepared transaction the slot creation waits for, oldest first. */
    private List<String> blockers() throws SQLException {
        List<String> found = new ArrayList<>();
        boolean prepared = false;
        try (PreparedStatement ps = observer.prepareStatement("""
                SELECT b.pid, a.usename, a.state, a.state_change, a.xact_start, a.application_name,
                       pg_catalog.left(pg_catalog.regexp_replace(a.query, '\\s+', ' ', 'g'), ?)
                  FROM pg_catalog.unnest(pg_catalog.pg_blocking_pids(?)) AS b(pid)
                  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = b.pid
                 ORDER BY a.xact_start NULLS LAST, b.pid""")) {
            ps.setQueryTimeout(5);
            ps.setInt(1, QUERY_EXCERPT);
            ps.setInt(2, walsenderPid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int pid = rs.getInt(1);
                    if (pid == 0) {
                        prepared = true; // a prepared transaction holds the lock
                        continue;
                    }
                    found.add(session(pid, rs.getString(2), rs.getString(3), rs.getTimestamp(4), rs.getTimestamp(5),
                            rs.getString(6), rs.getString(7)));
                }
            }
        }
        if (prepared) {
            try (Statement s = observer.createStatement()) {
                s.setQueryTimeout(5);
                ResultSet rs = s.executeQuery(
                        "SELECT gid, owner, database, prepared FROM pg_catalog.pg_prepared_xacts ORDER BY prepared");
                while (rs.next()) {
                    found.add("prepared transaction '" + rs.getString(1) + "' (user " + rs.getString(2) + ", database "
                            + rs.getString(3) + ", prepared at " + rs.getTimestamp(4).toInstant() + "): run COMMIT"
                            + " PREPARED or ROLLBACK PREPARED '" + rs.getString(1).replace("'", "''") + "'");
                }
            }
        }
        return found;
    }

    private static String session(int pid, String user, String state, Timestamp stateChange, Timestamp xactStart,
                                  String application, String query) {
        StringBuilder s = new StringBuilder("pid ").append(pid).append(" (user ").append(user == null ? "?" : user);
        if (application != null && !application.isEmpty()) {
            s.append(", application_name '").append(application).append('\'');
        }
        if (state != null) {
            s.append(", ").append(state);
            if (stateChange != null) {
                s.append(" since ").append(stateChange.toInstant());
            }
        }
        if (xactStart != null) {
            s.append(", transaction open since ").append(xactStart.toInstant());
        }
        if (query != null && !query.isEmpty()) {
            s.append(", ").append("idle in transaction".equals(state) ? "last query" : "query").append(": ")
                    .append(query.length() >= QUERY_EXCERPT ? query + "..." : query);
        }
        return s.append(')').toString();
    }

    private String message(List<String> blockers) {
        List<Integer> pids = new ArrayList<>();
        for (String b : blockers) {
            if (b.startsWith("pid ")) {
                pids.add(Integer.parseInt(b.substring(4, b.indexOf(' ', 4))));
            }
        }
        String terminate = pids.isEmpty() ? "" : " or end the session"
                + (pids.size() == 1 ? "" : "s") + " with " + String.join(" ", pids.stream()
                .map(p -> "SELECT pg_catalog.pg_terminate_backend(" + p + ");").toList()) + " on the source";
        return "Creating replication slot " + slot + " on the source server " + address + " waits for "
                + (blockers.size() == 1 ? "a transaction" : blockers.size() + " transactions") + " that "
                + (blockers.size() == 1 ? "was" : "were") + " open when it started; change capture cannot begin until "
                + (blockers.size() == 1 ? "it ends" : "they end") + ": " + String.join("; ", blockers)
                + ". End " + (blockers.size() == 1 ? "it" : "them") + ": COMMIT or ROLLBACK in that session" + terminate
                + ".";
    }

    @Override
    public void close() {
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
