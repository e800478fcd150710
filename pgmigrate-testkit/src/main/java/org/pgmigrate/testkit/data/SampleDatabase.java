package org.pgmigrate.testkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A realistic sample database: a shop whose schema has the features that broke migration tools (identity, generated
 * and dropped columns, enums, domains, composites, ranges, arrays, jsonb, hstore, citext, bytea, TOASTed values,
 * exact numerics and floats, partitions, a table without a key, an unlogged table, an exclusion constraint, cyclic
 * and self-referencing foreign keys, views, a materialized view, a trigger, sequences, large objects, comments and
 * quoted mixed-case names). Older servers get what they can have: no generated column before 12, a serial key
 * instead of identity before 10, inheritance partitioning before 10 (see sample-schema.sql).
 *
 * <p>{@code rows} scales the large tables: orders has {@code rows} rows, order_lines three times that.
 */
public final class SampleDatabase {

    private SampleDatabase() {
    }

    /** Creates the schema and loads the data into the database {@code c} is connected to. */
    public static void load(Connection c, int rows) throws SQLException {
        createSchema(c);
        loadData(c, rows);
    }

    public static void createSchema(Connection c) throws SQLException {
        execute(c, forVersion(resource("sample-schema.sql"), serverVersionNum(c)));
    }

    /**
     * The script's lines for a server of {@code versionNum} ({@code server_version_num}): a line that starts with a
     * condition, {@code {{12+}}} (12 and newer), {@code {{10}}} (10 only) or {@code {{<10}}} (before 10), is kept,
     * without it, only where the condition holds.
     */
    static String forVersion(String script, int versionNum) {
        int major = versionNum >= 100000 ? versionNum / 10000 : 9;
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            Matcher m = CONDITION.matcher(line);
            if (!m.lookingAt()) {
                sql.append(line).append('\n');
                continue;
            }
            int n = Integer.parseInt(m.group(2));
            boolean keep = switch (m.group(1) + m.group(3)) {
                case "<" -> major < n;
                case "+" -> major >= n;
                case "" -> major == n;
                default -> throw new IllegalArgumentException("Bad version condition in: " + line);
            };
            if (keep) {
                sql.append(line.substring(m.end())).append('\n');
            }
        }
        return sql.toString();
    }

    private static final Pattern CONDITION = Pattern.compile("\\{\\{(<?)(\\d+)(\\+?)}}");

    private static int serverVersionNum(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    public static void loadData(Connection c, int rows) throws SQLException {
        execute(c, resource("sample-data.sql").replace("{{ROWS}}", Integer.toString(rows)));
    }

    private static void execute(Connection c, String sql) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    static String resource(String name) {
        try (InputStream in = SampleDatabase.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing testkit resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
