package org.pgmigrate.engine.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * A database whose owner set every pinned parameter to a hostile value with ALTER DATABASE ... SET: the sessions
 * pgmigrate opens (normal and replication, with and without the user's own startup options) still run with the
 * pinned values.
 */
@Timeout(120)
class SessionSettingsIT {

    static PgCluster cluster;

    @BeforeAll
    static void start() {
        cluster = PgCluster.builder().name("settings").start();
        cluster.createDatabase("hostile");
        cluster.execute("hostile", """
                ALTER DATABASE hostile SET search_path = public, pg_catalog;
                ALTER DATABASE hostile SET DateStyle = 'SQL, DMY';
                ALTER DATABASE hostile SET IntervalStyle = 'sql_standard';
                ALTER DATABASE hostile SET TimeZone = 'Pacific/Chatham';
                ALTER DATABASE hostile SET extra_float_digits = -15;
                ALTER DATABASE hostile SET bytea_output = 'escape';
                ALTER DATABASE hostile SET lc_monetary = 'C.UTF-8';
                ALTER DATABASE hostile SET xmloption = 'document';
                ALTER DATABASE hostile SET standard_conforming_strings = off;
                ALTER DATABASE hostile SET array_nulls = off;
                ALTER DATABASE hostile SET transform_null_equals = on;
                ALTER DATABASE hostile SET row_security = on;
                ALTER DATABASE hostile SET default_transaction_read_only = on;
                ALTER DATABASE hostile SET statement_timeout = '1ms';
                ALTER DATABASE hostile SET lock_timeout = '1ms';
                """);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everySessionRunsWithThePinnedSettings() throws Exception {
        PgConnector connector = new PgConnector();
        PgEndpoint endpoint = PgEndpoint.parse(cluster.uri("hostile"));
        try (Connection c = connector.open(endpoint, Side.SOURCE, "test")) {
            assertPinned(c);
        }
        try (Connection c = connector.openReplication(endpoint, "test")) {
            assertPinned(c);
        }
    }

    @Test
    void theUsersOwnOptionsCannotOverrideThePins() throws Exception {
        PgEndpoint endpoint = PgEndpoint.parse(cluster.uri("hostile")
                + "?options=-c%20search_path%3Dpublic%20-c%20work_mem%3D7MB");
        try (Connection c = new PgConnector().open(endpoint, Side.TARGET, "test")) {
            assertPinned(c);
            assertThat(show(c, "work_mem")).as("the user's other options still apply").isEqualTo("7MB");
        }
    }

    private static void assertPinned(Connection c) throws Exception {
        for (Map.Entry<String, String> pin : SessionSettings.values().entrySet()) {
            String expected = switch (pin.getKey()) {
                case "DateStyle" -> "ISO, MDY";
                case "search_path" -> "pg_catalog,pg_temp";
                default -> pin.getValue();
            };
            assertThat(show(c, pin.getKey())).as(pin.getKey()).isEqualTo(expected);
        }
    }

    private static String show(Connection c, String parameter) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + parameter)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
