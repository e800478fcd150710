package org.pgmigrate.service.store.jdbc;

/**
 * How a store runs one call: in one transaction, rolled back when the work throws, with the store's own retries
 * and errors (a busy SQLite file, a PostgreSQL server restarting).
 */
public interface Transactions {

    <T> T inTransaction(SqlWork<T> work);
}
