package org.pgmigrate.testkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A realistic sample database: a shop whose schema has the features that broke migration tools (identity, generated
 * and dropped columns, enums, domains, composites, ranges, arrays, jsonb, hstore, citext, bytea, TOASTed values,
 * exact numerics and floats, partitions, a table without a key, an unlogged table, an exclusion constraint, cyclic
 * and self-referencing foreign keys, views, a materialized view, a trigger, sequences, large objects, comments and
 * quoted mixed-case names).
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
        boolean generatedColumns = c.getMetaData().getDatabaseMajorVersion() >= 12;
        String schema = resource("sample-schema.sql");
        StringBuilder sql = new StringBuilder();
        for (String line : schema.split("\n")) {
            if (line.startsWith("{{GENERATED}}")) {
                if (generatedColumns) {
                    sql.append(line.substring("{{GENERATED}}".length())).append('\n');
                }
            } else {
                sql.append(line).append('\n');
            }
        }
        execute(c, sql.toString());
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
