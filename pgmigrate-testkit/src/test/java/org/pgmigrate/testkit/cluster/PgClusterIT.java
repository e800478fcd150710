package org.pgmigrate.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(180)
class PgClusterIT {

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {95, 96, 10, 11, 15, 17})
    void startsAClusterOfTheRequestedMajorWithLogicalWalAndPasswordAuth(int major) throws Exception {
        Path dataDir;
        try (PgCluster cluster = PgCluster.builder().version(major).name("it").start()) {
            dataDir = cluster.dataDir();
            try (Connection c = cluster.connect("postgres"); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT current_setting('server_version'), current_setting('wal_level')")) {
                rs.next();
                assertThat(rs.getString(1)).startsWith(cluster.versionLabel() + ".");
                assertThat(cluster.versionLabel()).isEqualTo(switch (major) {
                    case 95 -> "9.5";
                    case 96 -> "9.6";
                    default -> Integer.toString(major);
                });
                assertThat(rs.getString(2)).isEqualTo("logical");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(cluster.jdbcUrl("postgres"), "postgres", "wrong"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
            cluster.createDatabase("Mixed Case");
            cluster.execute("Mixed Case", "CREATE TABLE t(i int); INSERT INTO t VALUES (1)");
            cluster.restart();
            try (Connection c = cluster.connect("Mixed Case"); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
        assertThat(Files.exists(dataDir)).isFalse();
    }
}
