package org.pgmigrate.service.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.pg.SslMode;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.SecretParameters;
import org.pgmigrate.service.store.sqlite.SqliteStore;

/** What {@code sourceType} does to the source connection: Azure's default sslMode, and the Single Server ID rule. */
class EndpointResolverTest {

    private static final ServerKey TARGET = new ServerKey("sub", "rg", ServerKind.FLEXIBLE, "target1");
    private static final String SINGLE_ID = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/"
            + "servers/legacy";
    private static final SecretParameters SECRETS = new SecretParameters("pw1", "pw2", "alice", "bob");

    @TempDir
    Path dir;
    private SqliteStore store;
    private EndpointResolver resolver;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir.resolve("pgmigrate.db"));
        resolver = new EndpointResolver(store.servers());
        register(TARGET, "Require");
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void register(ServerKey key, String sslMode) {
        Instant now = Instant.now();
        store.servers().upsert(new RegisteredServer(key, "local", Map.of(), "10.0.0.5", 5432, sslMode, null, null,
                null, null, now, now));
    }

    private Endpoints resolve(String sourceId, String sourceType, String sslMode) {
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.sourceDbServerResourceId = sourceId;
        b.sourceType = sourceType;
        b.sslMode = sslMode;
        return resolver.resolve(new MigrationKey(TARGET, "m1"), b.build(), SECRETS);
    }

    @Test
    void aSingleServerSourceDefaultsToVerifyFullAndTheOthersToPrefer() {
        register(ServerKey.parseResourceId(SINGLE_ID), "Prefer");

        assertThat(resolve(SINGLE_ID, "PostgreSQLSingleServer", null).source().sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(resolve("10.0.0.4:5432@alice", "OnPremises", null).source().sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(resolve("10.0.0.4:5432@alice", "AWS_RDS", null).source().sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(resolve("10.0.0.4:5432@alice", null, null).source().sslMode()).isEqualTo(SslMode.PREFER);
        // the target keeps its registered sslmode whatever the source type
        assertThat(resolve(SINGLE_ID, "PostgreSQLSingleServer", null).target().sslMode()).isEqualTo(SslMode.REQUIRE);
    }

    @Test
    void theMigrationsSslModeWinsAndARegisteredSourceKeepsAStricterMode() {
        register(ServerKey.parseResourceId(SINGLE_ID), "Prefer");
        assertThat(resolve(SINGLE_ID, "PostgreSQLSingleServer", "Require").source().sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(resolve(SINGLE_ID, "PostgreSQLSingleServer", "Require").target().sslMode()).isEqualTo(SslMode.REQUIRE);

        register(ServerKey.parseResourceId(SINGLE_ID), "VerifyCA");
        assertThat(resolve(SINGLE_ID, "OnPremises", null).source().sslMode()).isEqualTo(SslMode.VERIFY_CA);
    }

    @Test
    void aSingleServerSourceMustBeNamedByASingleServersResourceId() {
        assertThatThrownBy(() -> resolve("10.0.0.4:5432@alice", "PostgreSQLSingleServer", "Prefer"))
                .isInstanceOf(ServiceException.class)
                .hasMessageContaining("sourceType PostgreSQLSingleServer needs sourceDbServerResourceId to be the "
                        + "resource ID of a single server")
                .hasMessageContaining("was '10.0.0.4:5432@alice'")
                .hasMessageContaining("set sourceType to what the server is (OnPremises")
                .extracting(e -> ((ServiceException) e).target()).isEqualTo("properties.sourceDbServerResourceId");
        String flexibleId = SINGLE_ID.replace("/servers/", "/flexibleServers/");
        register(ServerKey.parseResourceId(flexibleId), "Prefer");
        assertThatThrownBy(() -> resolve(flexibleId, "PostgreSQLSingleServer", "Prefer"))
                .hasMessageContaining("resource ID of a single server");
        // other source types take a host:port@user or a registered server of either kind
        assertThat(resolve(flexibleId, "AzureVM", null).source().host()).isEqualTo("10.0.0.5");
    }

    @Test
    void withoutAUserNameTheRegisteredServersAdministratorLoginIsUsedAndItsAbsenceIsNamed() {
        SecretParameters passwordsOnly = new SecretParameters("pw1", "pw2", null, null);
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.sourceDbServerResourceId = SINGLE_ID;
        MigrationSpec spec = b.build();
        register(ServerKey.parseResourceId(SINGLE_ID), "Prefer");

        assertThatThrownBy(() -> resolver.source(spec, passwordsOnly))
                .isInstanceOf(ServiceException.class)
                .hasMessage("No source user: set secretParameters.sourceServerUsername, register the source server "
                        + "with an administratorLogin, or give sourceDbServerResourceId as host:port@user.")
                .extracting(e -> ((ServiceException) e).target())
                .isEqualTo("properties.secretParameters.sourceServerUsername");

        Instant now = Instant.now();
        store.servers().upsert(new RegisteredServer(ServerKey.parseResourceId(SINGLE_ID), "local", Map.of(), "10.0.0.4",
                5432, "Prefer", null, "postgres", null, null, now, now, null));
        assertThat(resolver.source(spec, passwordsOnly).user()).isEqualTo("postgres");
    }
}
