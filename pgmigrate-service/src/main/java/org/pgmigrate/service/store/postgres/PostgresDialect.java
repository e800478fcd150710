package org.pgmigrate.service.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.pgmigrate.service.store.jdbc.SqlDialect;

/**
 * PostgreSQL's SQL: tables in the store's schema and functions in {@code pg_catalog}, both qualified (sessions see
 * only {@code pg_catalog}); {@code timestamptz} times; the server's clock for leases, so that the nodes' clocks need
 * not agree; row locks, since several nodes write at once.
 */
final class PostgresDialect implements SqlDialect {

    static final PostgresDialect INSTANCE = new PostgresDialect();

    private PostgresDialect() {
    }

    @Override
    public String table(String name) {
        return PostgresSchema.SCHEMA + "." + name;
    }

    @Override
    public String function(String name) {
        return "pg_catalog." + name;
    }

    @Override
    public String lockForUpdate() {
        return " FOR UPDATE";
    }

    @Override
    public String lockForShare() {
        return " FOR SHARE";
    }

    @Override
    public String now() {
        return "pg_catalog.clock_timestamp()";
    }

    @Override
    public String nowPlusMillis() {
        return "(pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => ?::pg_catalog.float8 / 1000))";
    }

    @Override
    public void setTime(PreparedStatement s, int index, Instant time) throws SQLException {
        s.setTimestamp(index, time == null ? null : Timestamp.from(time));
    }

    @Override
    public Instant getTime(ResultSet rs, int index) throws SQLException {
        Timestamp t = rs.getTimestamp(index);
        return t == null ? null : t.toInstant();
    }
}
