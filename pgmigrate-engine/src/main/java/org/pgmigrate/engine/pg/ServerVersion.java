package org.pgmigrate.engine.pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A server's {@code server_version_num}, e.g. 150018 for 15.18 and 110022 for 11.22. */
public record ServerVersion(int number) implements Comparable<ServerVersion> {

    public static ServerVersion of(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('server_version_num')::int")) {
            rs.next();
            return new ServerVersion(rs.getInt(1));
        }
    }

    public int major() {
        return number / 10000;
    }

    public boolean atLeast(int major) {
        return major() >= major;
    }

    @Override
    public int compareTo(ServerVersion other) {
        return Integer.compare(number, other.number);
    }

    @Override
    public String toString() {
        return major() + "." + number % 10000;
    }
}
