package org.pgmigrate.engine.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PgEndpointTest {

    @Test
    void parsesAUriWithEncodedPasswordAndParameters() {
        PgEndpoint e = PgEndpoint.parse("postgresql://app%40corp:p%2Fw%3Ad@db.example.com:6432/My%20Shop?sslmode=require&sslrootcert=/etc/ca.pem");
        assertThat(e.host()).isEqualTo("db.example.com");
        assertThat(e.port()).isEqualTo(6432);
        assertThat(e.user()).isEqualTo("app@corp");
        assertThat(e.password()).isEqualTo("p/w:d");
        assertThat(e.database()).isEqualTo("My Shop");
        assertThat(e.sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(e.options()).containsEntry("sslrootcert", "/etc/ca.pem");
    }

    @Test
    void parsesAConninfoStringWithQuotedValues() {
        PgEndpoint e = PgEndpoint.parse("host=h1 port=5433 dbname='my db' user=u password='it\\'s secret' sslmode=verify-full");
        assertThat(e.host()).isEqualTo("h1");
        assertThat(e.port()).isEqualTo(5433);
        assertThat(e.database()).isEqualTo("my db");
        assertThat(e.password()).isEqualTo("it's secret");
        assertThat(e.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
    }

    @Test
    void fillsMissingPartsFromTheEnvironmentTheCallerPasses() {
        PgEndpoint e = PgEndpoint.parse("dbname=shop", Map.of("PGHOST", "envhost", "PGUSER", "envuser", "PGPASSWORD", "envpw"));
        assertThat(e.host()).isEqualTo("envhost");
        assertThat(e.port()).isEqualTo(5432);
        assertThat(e.user()).isEqualTo("envuser");
        assertThat(e.password()).isEqualTo("envpw");
        assertThat(e.sslMode()).isEqualTo(SslMode.PREFER);
    }

    @Test
    void neverShowsThePasswordInTextForms() {
        PgEndpoint e = PgEndpoint.parse("postgresql://u:SuperSecret42@h/db");
        assertThat(e.toString()).doesNotContain("SuperSecret42").contains("<masked>");
        assertThat(e.redacted()).doesNotContain("SuperSecret42");
        assertThat(e.conninfoWithoutPassword()).doesNotContain("SuperSecret42");
    }

    @Test
    void rejectsMalformedInputWithAMessageThatShowsTheFormAndHidesThePassword() {
        assertThatThrownBy(() -> PgEndpoint.parse("just-a-hostname"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key=value").hasMessageContaining("URI");
        assertThatThrownBy(() -> PgEndpoint.parse("postgresql://u:Secret99@h:notaport/db"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid port 'notaport'");
        assertThatThrownBy(() -> PgEndpoint.parse("host=h password=Secret99 bogus=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bogus")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Secret99"));
        assertThatThrownBy(() -> PgEndpoint.parse("host=/var/run/postgresql dbname=x"))
                .hasMessageContaining("Unix-domain socket");
        assertThatThrownBy(() -> PgEndpoint.parse("postgresql://h/db?sslmode=sometimes")).hasMessageContaining("sslmode");
    }

    @Test
    void acceptsTheAzureSslModeSpellings() {
        assertThat(SslMode.parse("Prefer")).isEqualTo(SslMode.PREFER);
        assertThat(SslMode.parse("VerifyCA")).isEqualTo(SslMode.VERIFY_CA);
        assertThat(SslMode.parse("VerifyFull")).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(SslMode.parse("require")).isEqualTo(SslMode.REQUIRE);
    }
}
