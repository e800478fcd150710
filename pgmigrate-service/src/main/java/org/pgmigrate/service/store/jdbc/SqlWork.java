package org.pgmigrate.service.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** A store call's work, run in one transaction by {@link Transactions#inTransaction}. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
