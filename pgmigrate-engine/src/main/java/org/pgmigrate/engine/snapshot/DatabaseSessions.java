package org.pgmigrate.engine.snapshot;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.SessionSettings;

/**
 * Opens the sessions of one database's migration: source sessions that read inside its snapshot, and target
 * sessions. Every session starts with {@link org.pgmigrate.engine.pg.SessionSettings} (ISO dates, exact floats, a
 * safe search_path...); these add UTC, so that the text of a timestamptz is the same on both servers.
 *
 * @param snapshot the exported snapshot every source session imports, or null to read the live database
 */
public record DatabaseSessions(PgConnector connector, PgEndpoint source, PgEndpoint target, String snapshot) {

    /** A source session in a REPEATABLE READ transaction importing the snapshot; the caller owns and closes it. */
    public Connection sourceInSnapshot(String role) throws SQLException {
        Connection c = connector.open(source, Side.SOURCE, role);
        try {
            pinOutputSettings(c);
            if (snapshot != null) {
                SnapshotImport.begin(c, snapshot);
            } else {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** A target session, autocommit on; the caller owns and closes it. */
    public Connection target(String role) throws SQLException {
        Connection c = connector.open(target, Side.TARGET, role);
        try {
            pinOutputSettings(c);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** A maintenance session on the target server's {@code postgres} database (CREATE/DROP DATABASE). */
    public Connection targetMaintenance(String role) {
        return connector.open(target.withDatabase("postgres"), Side.TARGET, role);
    }

    private static void pinOutputSettings(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'; " + SessionSettings.idleInTransactionTimeoutOff(false));
        }
    }
}
