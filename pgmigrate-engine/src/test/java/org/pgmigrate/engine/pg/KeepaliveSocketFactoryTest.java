package org.pgmigrate.engine.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.util.Properties;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.postgresql.PGProperty;

class KeepaliveSocketFactoryTest {

    @Test
    void socketsProbeAfterFifteenSecondsOfSilenceEveryFiveSecondsFourTimes() throws Exception {
        try (Socket s = new KeepaliveSocketFactory(new Properties()).createSocket()) {
            assertThat(s.getKeepAlive()).isTrue();
            assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(15);
            assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(5);
            assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(4);
        }
        assertThat(KeepaliveSocketFactory.deadPeerDetection()).hasSeconds(35);
    }

    @Test
    void everySessionUsesTheFactoryAndAsksTheServerForTheSameKeepalivesButNoReadTimeout() {
        Properties p = new PgConnector().baseProperties(PgEndpoint.parse("postgresql://u@h/db"), "copy");
        assertThat(PGProperty.SOCKET_FACTORY.getOrDefault(p)).isEqualTo(KeepaliveSocketFactory.class.getName());
        assertThat(PGProperty.TCP_KEEP_ALIVE.getOrDefault(p)).isEqualTo("true");
        assertThat(PGProperty.SOCKET_TIMEOUT.getOrDefault(p)).isEqualTo("0");
        assertThat(PGProperty.OPTIONS.getOrDefault(p)).contains("-c search_path=pg_catalog,pg_temp")
                .endsWith("-c tcp_keepalives_idle=15 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=4");
    }

    @Test
    void theToolsConnectionStringsCarryTheSameKeepalivesAndStillParse() {
        PgEndpoint e = PgEndpoint.parse("postgresql://u:secret@h:5433/db?sslmode=require");
        String conninfo = e.conninfoWithoutPassword();
        assertThat(conninfo).contains("keepalives='1' keepalives_idle='15' keepalives_interval='5' keepalives_count='4'");
        assertThat(PgEndpoint.parse(conninfo)).isEqualTo(e.withCredentials("u", null));
    }
}
