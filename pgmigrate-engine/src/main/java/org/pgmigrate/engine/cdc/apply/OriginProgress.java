package org.pgmigrate.engine.cdc.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.engine.cdc.Lsn;

/**
 * Progress in a replication origin: WAL-logged with each commit, so it can never claim more than the target holds,
 * and {@code pg_replication_origin_progress(name, true)} reports only what is flushed. Stateless; thread-safe.
 */
final class OriginProgress implements ProgressTracker {

    private final String origin;

    OriginProgress(String origin) {
        this.origin = origin;
    }

    @Override
    public Lsn start(Connection session, Lsn initial, boolean reset) throws SQLException {
        boolean exists;
        try (PreparedStatement ps = session.prepareStatement("SELECT pg_replication_origin_oid(?) IS NOT NULL")) {
            ps.setString(1, origin);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                exists = rs.getBoolean(1);
            }
        }
        if (exists && reset) {
            run(session, "SELECT pg_replication_origin_drop(?)", origin);
            exists = false;
        }
        if (!exists) {
            run(session, "SELECT pg_replication_origin_create(?)", origin);
            try (PreparedStatement ps = session.prepareStatement("SELECT pg_replication_origin_advance(?, ?::pg_lsn)")) {
                ps.setString(1, origin);
                ps.setString(2, initial.toString());
                ps.execute();
            }
        }
        run(session, "SELECT pg_replication_origin_session_setup(?)", origin);
        Lsn progress = progress(session, false);
        return progress == null ? initial : progress;
    }

    @Override
    public void beforeCommit(Connection session, Lsn endLsn, long commitTimeMicros) throws SQLException {
        try (PreparedStatement ps = session.prepareStatement("SELECT pg_replication_origin_xact_setup(?::pg_lsn,"
                + " timestamptz '2000-01-01 00:00:00+00' + ?::bigint * interval '1 microsecond')")) {
            ps.setString(1, endLsn.toString());
            ps.setLong(2, commitTimeMicros);
            ps.execute();
        }
    }

    /** The origin is held by the session that set it up until the session resets it or its backend exits. */
    @Override
    public void release(Connection session) throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("SELECT pg_catalog.pg_replication_origin_session_reset()");
        }
    }

    /** The committed progress of an existing origin, or null if the origin does not exist. */
    Lsn recorded(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_progress(?, false)::text"
                + " WHERE pg_replication_origin_oid(?) IS NOT NULL")) {
            ps.setString(1, origin);
            ps.setString(2, origin);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? Lsn.parse(rs.getString(1)) : null;
            }
        }
    }

    @Override
    public boolean synchronousCommit() {
        return false;
    }

    @Override
    public Lsn durable(Connection other) throws SQLException {
        return progress(other, true);
    }

    @Override
    public void drop(Connection other) throws SQLException {
        try (PreparedStatement ps = other.prepareStatement(
                "SELECT pg_replication_origin_drop(?) WHERE pg_replication_origin_oid(?) IS NOT NULL")) {
            ps.setString(1, origin);
            ps.setString(2, origin);
            ps.execute();
        }
    }

    @Override
    public ProgressTracking kind() {
        return ProgressTracking.ORIGIN;
    }

    private Lsn progress(Connection c, boolean flushed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_progress(?, ?)::text")) {
            ps.setString(1, origin);
            ps.setBoolean(2, flushed);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String text = rs.getString(1);
                return text == null ? null : Lsn.parse(text);
            }
        }
    }

    private static void run(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            ps.execute();
        }
    }
}
