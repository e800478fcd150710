package org.pgmigrate.engine.pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Statements run together in a transaction of their own on a session that may be in autocommit: committed when all
 * succeed, rolled back otherwise, and the session's autocommit mode restored either way. For statements that need
 * {@code SET LOCAL} to apply to them only.
 */
public final class OwnTransaction {

    private OwnTransaction() {
    }

    public static void run(Connection c, String... statements) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
