package org.pgmigrate.service.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * What differs between the stores' SQL; the statements themselves are shared ({@link JdbcMigrationStore},
 * {@link JdbcServerStore}, {@link JdbcSourceCleanupStore}). SQLite keeps times as epoch milliseconds and runs one
 * transaction at a time, so it needs no row locks; PostgreSQL keeps {@code timestamptz}, qualifies every name
 * (sessions see only {@code pg_catalog}) and locks the rows that a read-modify-write or a fence depends on.
 */
public interface SqlDialect {

    /** The name of the store's table {@code name} as a statement writes it. */
    String table(String name);

    /** The name of the built-in function {@code name} as a statement writes it. */
    String function(String name);

    /** Appended to a SELECT of rows the transaction will change: no other writer may change them meanwhile. */
    String lockForUpdate();

    /** Appended to a SELECT of rows the transaction relies on: no other writer may change them meanwhile. */
    String lockForShare();

    /** An expression for now, by the store's clock, comparable with the lease columns. */
    String now();

    /** An expression for now plus one parameter's milliseconds, by the store's clock (a lease's end). */
    String nowPlusMillis();

    /** Binds a time column's value ({@code null} for none). */
    void setTime(PreparedStatement s, int index, Instant time) throws SQLException;

    /** Reads a time column's value ({@code null} for none). */
    Instant getTime(ResultSet rs, int index) throws SQLException;
}
