package org.pgmigrate.engine.pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A server's {@code server_version_num}, e.g. 150018 for 15.18, 110022 for 11.22 and 90624 for 9.6.24.
 *
 * <p>Before 10 a major version had two parts (9.5, 9.6). {@link #major()} is the first part (9 for both), which is
 * what comparisons with 10 and later need; {@link #atLeast(int, int)} tells 9.5 from 9.6, and {@link #majorName()}
 * prints the major as PostgreSQL names it.
 */
public record ServerVersion(int number) implements Comparable<ServerVersion> {

    public static ServerVersion of(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('server_version_num')::int")) {
            rs.next();
            return new ServerVersion(rs.getInt(1));
        }
    }

    /** 15 for 15.18; 9 for 9.5 and 9.6. */
    public int major() {
        return number / 10000;
    }

    /** True from {@code major} on; for 9.x, where the major has two parts, use {@link #atLeast(int, int)}. */
    public boolean atLeast(int major) {
        if (major < 10) {
            throw new IllegalArgumentException("Before 10 a major has two parts: use atLeast(" + major + ", minor)");
        }
        return major() >= major;
    }

    /** True from {@code major.minor} on: {@code atLeast(9, 6)} for 9.6 and every later major. */
    public boolean atLeast(int major, int minor) {
        return number >= (major >= 10 ? major * 10000 : major * 10000 + minor * 100);
    }

    /** The major as PostgreSQL names it: "9.6", "15". */
    public String majorName() {
        return number >= 100000 ? Integer.toString(major()) : major() + "." + number / 100 % 100;
    }

    @Override
    public int compareTo(ServerVersion other) {
        return Integer.compare(number, other.number);
    }

    /** "15.18", "9.6.24". */
    @Override
    public String toString() {
        return number >= 100000 ? major() + "." + number % 10000 : majorName() + "." + number % 100;
    }
}
