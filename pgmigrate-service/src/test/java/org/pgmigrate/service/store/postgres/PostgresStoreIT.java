package org.pgmigrate.service.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.store.Documents;
import org.pgmigrate.service.store.ServiceStore;
import org.pgmigrate.service.store.StoreContract;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * The store contract on the PostgreSQL store (each test on a database of its own in one test cluster), and what
 * only it has: its own schema, every name qualified, a password never shown, clear errors.
 */
class PostgresStoreIT extends StoreContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PgCluster cluster;
    private String database;

    @BeforeAll
    static void startCluster() {
        cluster = PgCluster.builder().version(15).name("store-it").start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void freshDatabase() {
        database = "store_" + DATABASES.incrementAndGet();
        cluster.createDatabase(database);
    }

    static StoreLocation location(PgCluster cluster, String database) {
        return StoreLocation.parse("postgresql://" + cluster.superuser() + "@" + cluster.host() + ":" + cluster.port()
                + "/" + database).withPassword(cluster.password());
    }

    @Override
    protected ServiceStore open() {
        return PostgresStore.open(location(cluster, database), "test-node");
    }

    @Override
    protected void createAtSchemaVersion(int version, Migration m, RegisteredServer server) {
        PostgresStore.open(location(cluster, database), "test-node", version).close();
        try (Connection c = cluster.connect(database);
             PreparedStatement insert = c.prepareStatement("INSERT INTO pgmigrate.migrations (migration_id, "
                     + "subscription_key, resource_group_key, server_key, name_key, state, document, secrets, version, "
                     + "created_at, updated_at) VALUES (?, 'sub', 'rg', 'target1', ?, ?, ?, ?, 1, ?, ?)")) {
            insert.setString(1, m.migrationId());
            insert.setString(2, m.key().name().toLowerCase(Locale.ROOT));
            insert.setString(3, m.status().state().name());
            insert.setString(4, Documents.write(m.withSealedSecrets(null)));
            insert.setString(5, m.sealedSecrets());
            insert.setTimestamp(6, Timestamp.from(Instant.now()));
            insert.setTimestamp(7, Timestamp.from(Instant.now()));
            insert.executeUpdate();
            try (PreparedStatement checkpoint = c.prepareStatement("INSERT INTO pgmigrate.checkpoints (migration_id, "
                    + "key, value) VALUES (?, ?, ?)")) {
                checkpoint.setString(1, m.migrationId());
                checkpoint.setString(2, OLD_CHECKPOINT);
                checkpoint.setString(3, OLD_CHECKPOINT_VALUE);
                checkpoint.executeUpdate();
            }
            try (PreparedStatement servers = c.prepareStatement("INSERT INTO pgmigrate.servers (subscription_key, "
                    + "resource_group_key, kind, name_key, document, created_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, pg_catalog.now(), pg_catalog.now())")) {
                servers.setString(1, server.key().subscription());
                servers.setString(2, server.key().resourceGroup());
                servers.setString(3, server.key().kind().name());
                servers.setString(4, server.key().name());
                servers.setString(5, Documents.write(server));
                servers.executeUpdate();
            }
            assertThat(PostgresSchema.version(c)).isEqualTo(version);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void markSchemaVersion(int version) {
        cluster.execute(database, "UPDATE pgmigrate.schema_version SET version = " + version);
    }

    @Test
    void theTablesLiveInTheSchemaPgmigrateAndTheSessionsSeeOnlyPgCatalog() throws SQLException {
        // a look-alike table in public must never be used
        cluster.execute(database, "CREATE TABLE public.migrations (migration_id text)");
        try (ServiceStore store = open()) {
            store.migrations().insert(migration("m", "id-1"));
            assertThat(store.describe()).isEqualTo("postgresql://" + cluster.superuser() + "@" + cluster.host() + ":"
                    + cluster.port() + "/" + database);
        }
        try (Connection c = cluster.connect(database); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM public.migrations")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            try (ResultSet rs = s.executeQuery("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
                    + "WHERE schemaname = 'pgmigrate'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("checkpoints,migrations,schema_version,servers,source_cleanups");
            }
        }
    }

    @Test
    void nodesStartingAtOnceCreateTheSchemaOnce() throws Exception {
        var opened = java.util.stream.IntStream.range(0, 3).mapToObj(i -> java.util.concurrent.CompletableFuture
                .supplyAsync(this::open)).toList();
        for (var f : opened) {
            try (ServiceStore store = f.get()) {
                assertThat(store.schemaVersion()).isEqualTo(PostgresSchema.CURRENT);
            }
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorThatNeverShowsThePassword() {
        StoreLocation wrong = location(cluster, database).withPassword("not-the-password-4711");
        assertThatThrownBy(() -> PostgresStore.open(wrong, "test-node"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Cannot open the store postgresql://" + cluster.superuser() + "@")
                .hasMessageContaining("password authentication failed")
                .hasMessageContaining("--store-password-file, PGPASSWORD or ~/.pgpass")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password-4711"));
    }
}
