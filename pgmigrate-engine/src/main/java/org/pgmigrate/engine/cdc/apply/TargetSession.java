package org.pgmigrate.engine.cdc.apply;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.Reconnect;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.postgresql.PGProperty;

/**
 * Opens the applier's target connection: batched inserts rewritten to multi-row VALUES, and a session in which
 * target triggers and foreign keys do not fire ({@code session_replication_role=replica}, checked, never assumed)
 * and nothing times out. Stateless.
 */
final class TargetSession {

    /** An open session and the target's major version. */
    record Opened(Connection connection, int targetMajor) {
    }

    private TargetSession() {
    }

    static Opened open(PgConnector connector, PgEndpoint target) throws SQLException {
        Properties p = connector.baseProperties(target, "cdc-apply");
        PGProperty.REWRITE_BATCHED_INSERTS.set(p, true);
        Connection c;
        try {
            c = DriverManager.getConnection(PgConnector.jdbcUrl(target), p);
        } catch (SQLException e) {
            throw PgConnector.describe(e, target, PgConnector.Side.TARGET);
        }
        try {
            return new Opened(c, setUp(c, target));
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static int setUp(Connection c, PgEndpoint target) throws SQLException {
        try (Statement s = c.createStatement()) {
            try {
                s.execute("SET session_replication_role = replica");
            } catch (SQLException e) {
                if (Reconnect.isConnectionLost(e)) {
                    throw e;
                }
                throw new EngineException(EngineError.INSUFFICIENT_PRIVILEGE, "Cannot set session_replication_role ="
                        + " replica on the target server " + target.address() + " as user '" + target.user() + "': "
                        + e.getMessage() + ". Without it, target triggers and foreign keys would fire while changes"
                        + " are applied. Connect as a superuser, or on PostgreSQL 15+ run GRANT SET ON PARAMETER"
                        + " session_replication_role TO that user.", e);
            }
            int major;
            try (ResultSet rs = s.executeQuery("SELECT current_setting('session_replication_role'),"
                    + " current_setting('server_version_num')::int")) {
                rs.next();
                if (!"replica".equals(rs.getString(1))) {
                    throw new EngineException(EngineError.INSUFFICIENT_PRIVILEGE, "The target server "
                            + target.address() + " kept session_replication_role at '" + rs.getString(1)
                            + "' instead of 'replica'; applying changes would fire target triggers. Check server or"
                            + " role settings that override it.");
                }
                major = rs.getInt(2) / 10000;
            }
            // DateStyle, timeouts and the rest are pinned at connect (pg.SessionSettings); this one exists from 9.6 on.
            s.execute("SET idle_in_transaction_session_timeout = 0");
            return major;
        }
    }
}
