package org.pgmigrate.service.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreLocationTest {

    @Test
    void aLibpqUriGivesUserHostPortDatabaseAndSslParameters() {
        StoreLocation l = StoreLocation.parse("postgresql://svc@db.example:6432/pgmigrate?sslmode=verify-full");
        assertThat(l.user()).isEqualTo("svc");
        assertThat(l.host()).isEqualTo("db.example");
        assertThat(l.port()).isEqualTo(6432);
        assertThat(l.database()).isEqualTo("pgmigrate");
        assertThat(l.parameters()).isEqualTo(Map.of("sslmode", "verify-full"));
        assertThat(StoreLocation.parse("postgres://svc@db.example").port()).isEqualTo(5432);
        assertThat(StoreLocation.parse("postgres://svc@db.example").database()).isEqualTo("svc");
    }

    @Test
    void thePasswordIsNeverShown() {
        StoreLocation l = StoreLocation.parse("postgresql://svc@db.example/pgmigrate").withPassword("s3cret");
        assertThat(l.toString()).isEqualTo("postgresql://svc@db.example:5432/pgmigrate").doesNotContain("s3cret");
        assertThat(l.describe()).doesNotContain("s3cret");
    }

    @Test
    void aPasswordInTheUriIsRefusedWithWhereToPutIt() {
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://svc:s3cret@db.example/pgmigrate"))
                .hasMessageContaining("holds a password").hasMessageContaining("--store-password-file, PGPASSWORD")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://svc@db.example/pgmigrate?password=s3cret"))
                .hasMessageContaining("holds a password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    }

    @Test
    void otherSchemesAndUnknownParametersAreRefusedByName() {
        assertThatThrownBy(() -> StoreLocation.parse("mysql://svc@db.example/x"))
                .hasMessageContaining("only postgresql:// stores are supported");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql://svc@db.example/x?target_session_attrs=any"))
                .hasMessageContaining("unknown parameter 'target_session_attrs'");
        assertThatThrownBy(() -> StoreLocation.parse("postgresql:///x")).hasMessageContaining("no host");
    }
}
