package org.pgmigrate.service.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * How a store runs one call: in one transaction, rolled back when the work throws, with the store's own retries
 * and errors (a busy SQLite file, a PostgreSQL server restarting).
 */
public interface Transactions {

    <T> T inTransaction(SqlWork<T> work);

    /**
     * Runs {@code work} on {@code c} in one transaction: commits what it returns from, rolls back what it throws
     * from, and leaves the connection in auto-commit mode. A failed rollback (a connection already lost) is added to
     * the work's exception, which stays the one the caller sees and classifies.
     */
    static <T> T runIn(Connection c, SqlWork<T> work) throws SQLException {
        c.setAutoCommit(false);
        T result;
        try {
            result = work.run(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
                c.setAutoCommit(true);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        c.setAutoCommit(true);
        return result;
    }
}
