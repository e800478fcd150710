package org.pgmigrate.service.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import org.pgmigrate.service.store.jdbc.SqlDialect;

/**
 * SQLite's SQL: plain table names, times as epoch milliseconds (INTEGER), and no row locks (one transaction at a
 * time holds the file, so nothing can come between a read and the write that depends on it).
 */
final class SqliteDialect implements SqlDialect {

    static final SqliteDialect INSTANCE = new SqliteDialect();

    private SqliteDialect() {
    }

    @Override
    public String table(String name) {
        return name;
    }

    @Override
    public String function(String name) {
        return name;
    }

    @Override
    public String lockForUpdate() {
        return "";
    }

    @Override
    public String lockForShare() {
        return "";
    }

    @Override
    public String now() {
        return "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
    }

    @Override
    public String nowPlusMillis() {
        return "(" + now() + " + ?)";
    }

    @Override
    public void setTime(PreparedStatement s, int index, Instant time) throws SQLException {
        if (time == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setLong(index, time.toEpochMilli());
        }
    }

    @Override
    public Instant getTime(ResultSet rs, int index) throws SQLException {
        long millis = rs.getLong(index);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }
}
