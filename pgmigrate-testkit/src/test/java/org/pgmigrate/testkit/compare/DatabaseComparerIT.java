package org.pgmigrate.testkit.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.data.SampleDatabase;

/** The oracle reads both sides at once; what it finds must not depend on that. */
@Timeout(120)
class DatabaseComparerIT {

    static PgCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = PgCluster.builder().version(15).name("comparer").start();
        cluster.createDatabase("shop");
        try (Connection c = cluster.connect("shop")) {
            SampleDatabase.load(c, 200);
        }
        for (String copy : new String[] {"same", "changed"}) {
            cluster.execute("postgres", "CREATE DATABASE " + copy + " TEMPLATE shop");
        }
        cluster.execute("changed", "UPDATE shop.events SET kind = 'changed' WHERE id = 7;"
                + " DROP INDEX shop.orders_customer; SELECT pg_catalog.setval('shop.invoice_numbers', 5000)");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aCopyIsEqualAndEachChangeIsNamed() throws Exception {
        try (Connection source = cluster.connect("shop"); Connection same = cluster.connect("same");
             Connection changed = cluster.connect("changed")) {
            assertThat(DatabaseComparer.differences(source, same)).isEmpty();
            assertThat(DatabaseComparer.differences(source, changed))
                    .anySatisfy(d -> assertThat(d).startsWith("missing on the target: index shop.orders_customer"))
                    .anySatisfy(d -> assertThat(d).startsWith("data differs: shop.events_2025 source 200 rows")
                            .contains("target 200 rows"))
                    .anySatisfy(d -> assertThat(d).startsWith("sequence differs: shop.invoice_numbers source ")
                            .endsWith("target 5000 called"))
                    .hasSize(3);
        }
    }

    @Test
    void aTargetThatCannotBeReadIsAnSqlExceptionOfTheTarget() throws Exception {
        try (Connection source = cluster.connect("shop"); Connection target = cluster.connect("same")) {
            target.close();
            assertThatThrownBy(() -> DatabaseComparer.differences(source, target))
                    .isInstanceOf(SQLException.class).hasMessageContaining("closed");
        }
    }
}
