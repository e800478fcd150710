package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import org.pgmigrate.engine.pg.PgConnector;

/**
 * The cutover's two sessions, one on each side, opened side by side: each open is a TCP connection, an
 * authentication and a backend start (15-20 ms on a busy machine), and the cutover waits for both before its first
 * step. Closing closes both.
 */
record CutoverSessions(Connection source, Connection target) implements AutoCloseable {

    static CutoverSessions open(PgConnector connector, ReplicationConfig config) {
        SideCall<Connection> target = SideCall.start("pgmigrate-cdc-cutover-" + config.database(),
                () -> connector.open(config.target(), PgConnector.Side.TARGET, "cdc-cutover"));
        Connection source;
        try {
            source = connector.open(config.source(), PgConnector.Side.SOURCE, "cdc-cutover");
        } catch (RuntimeException e) {
            target.whenDone(CutoverSessions::closeQuietly); // opened after all: not left open
            throw e;
        }
        try {
            return new CutoverSessions(source, target.join());
        } catch (RuntimeException e) {
            closeQuietly(source);
            throw e;
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection s = source; Connection t = target) {
            // both closed, the target first; the first failure is thrown with the other suppressed
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // nothing was done on it
        }
    }
}
