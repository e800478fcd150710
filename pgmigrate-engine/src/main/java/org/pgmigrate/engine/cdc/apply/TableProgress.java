package org.pgmigrate.engine.cdc.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.engine.cdc.Lsn;

/**
 * Progress in a row of {@code _pgmigrate.cdc_progress}, for targets where the user may not use replication origins.
 * The row is updated in the same transaction as the data it covers; the session commits synchronously, so a
 * committed row is durable. Stateless; thread-safe.
 */
final class TableProgress implements ProgressTracker {

    static final String SCHEMA = "_pgmigrate";
    private static final String TABLE = "\"_pgmigrate\".\"cdc_progress\"";

    private final String name;

    TableProgress(String name) {
        this.name = name;
    }

    @Override
    public Lsn start(Connection session, Lsn initial, boolean reset) throws SQLException {
        try (Statement s = session.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS \"" + SCHEMA + "\"");
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (name text PRIMARY KEY, end_lsn pg_lsn NOT NULL,"
                    + " commit_time timestamptz)");
        }
        try (PreparedStatement ps = session.prepareStatement("INSERT INTO " + TABLE + " (name, end_lsn)"
                + " VALUES (?, ?::pg_lsn) ON CONFLICT (name) DO "
                + (reset ? "UPDATE SET end_lsn = EXCLUDED.end_lsn, commit_time = NULL" : "NOTHING"))) {
            ps.setString(1, name);
            ps.setString(2, initial.toString());
            ps.execute();
        }
        Lsn progress = durable(session);
        return progress == null ? initial : progress;
    }

    @Override
    public void beforeCommit(Connection session, Lsn endLsn, long commitTimeMicros) throws SQLException {
        try (PreparedStatement ps = session.prepareStatement("UPDATE " + TABLE + " SET end_lsn = ?::pg_lsn,"
                + " commit_time = timestamptz '2000-01-01 00:00:00+00' + ?::bigint * interval '1 microsecond'"
                + " WHERE name = ?")) {
            ps.setString(1, endLsn.toString());
            ps.setLong(2, commitTimeMicros);
            ps.setString(3, name);
            ps.execute();
        }
    }

    @Override
    public boolean synchronousCommit() {
        return true;
    }

    @Override
    public Lsn durable(Connection other) throws SQLException {
        try (PreparedStatement ps = other.prepareStatement("SELECT end_lsn::text FROM " + TABLE + " WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Lsn.parse(rs.getString(1)) : null;
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void drop(Connection other) throws SQLException {
        try (Statement s = other.createStatement();
             PreparedStatement delete = other.prepareStatement("DELETE FROM " + TABLE + " WHERE name = ?")) {
            delete.setString(1, name);
            delete.execute();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    s.execute("DROP TABLE " + TABLE);
                    s.execute("DROP SCHEMA IF EXISTS \"" + SCHEMA + "\"");
                }
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    @Override
    public ProgressTracking kind() {
        return ProgressTracking.TABLE;
    }
}
