package org.pgmigrate.engine.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.testkit.cluster.PgCluster;

/** What a failed connection says, against a real server (the testkit's clusters run with ssl = off). */
@Timeout(120)
class ConnectionErrorsIT {

    static PgCluster cluster;

    @BeforeAll
    static void start() {
        cluster = PgCluster.builder().name("conn-errors").start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void sslRequiredByAServerWithoutSslSaysSoAndHowToFixItNotToCheckTheNetwork() {
        PgEndpoint endpoint = PgEndpoint.parse(cluster.uri("postgres") + "?sslmode=require");

        assertThatThrownBy(() -> new PgConnector().open(endpoint, Side.TARGET, "test").close())
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.TARGET_UNREACHABLE);
                    assertThat(e.getMessage()).isEqualTo("The target server " + endpoint.address() + " does not accept"
                            + " SSL connections, and sslmode require requires them. Turn SSL on in that server (ssl = on"
                            + " in postgresql.conf, with a certificate and key), or connect with sslmode prefer (or"
                            + " disable) if an unencrypted connection is acceptable.");
                });
    }

    @Test
    void aDriverMessageEndingInAPeriodIsNotFollowedByASecondOne() {
        PgEndpoint endpoint = PgEndpoint.parse(cluster.uri("postgres", cluster.superuser(), "WrongPassw0rd"));

        assertThatThrownBy(() -> new PgConnector().open(endpoint, Side.SOURCE, "test").close())
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.getMessage())
                        .startsWith("Authentication failed on the source server").doesNotContain("..")
                        .doesNotContain("WrongPassw0rd"));
    }
}
