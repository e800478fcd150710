package org.pgmigrate.testkit.data;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Many small tables (the catalog-heavy shape that made tools take hours), each with a key and a few rows. */
public final class ManyTables {

    private ManyTables() {
    }

    /** Creates {@code count} tables {@code many.t0001...} with {@code rowsEach} rows and a secondary index each. */
    public static void create(Connection c, int count, int rowsEach) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS many");
            s.execute("DO $$ BEGIN FOR i IN 1.." + count + " LOOP"
                    + " EXECUTE format('CREATE TABLE many.%I (id int PRIMARY KEY, v text, n numeric)', 't' || lpad(i::text, 4, '0'));"
                    + " EXECUTE format('CREATE INDEX ON many.%I (v)', 't' || lpad(i::text, 4, '0'));"
                    + " EXECUTE format('INSERT INTO many.%I SELECT g, md5(g::text), g / 7.0 FROM generate_series(1, %s) g',"
                    + "   't' || lpad(i::text, 4, '0'), " + rowsEach + ");"
                    + " END LOOP; END $$");
        }
    }
}
