package org.pgmigrate.service.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.store.Documents;
import org.pgmigrate.service.store.ServiceStore;
import org.pgmigrate.service.store.StoreContract;

/** The store contract on the SQLite store, and what only a file store has (its mode, WAL). */
class SqliteStoreTest extends StoreContract {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("pgmigrate.db");
    }

    @Override
    protected ServiceStore open() {
        return SqliteStore.open(file());
    }

    @Override
    protected void createAtSchemaVersion(int version, Migration m, RegisteredServer server) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file())) {
            SchemaMigrations.apply(c, file().toString(), version);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO migrations (migration_id, subscription_key, "
                    + "resource_group_key, server_key, name_key, state, document, secrets, version, created_at, updated_at) "
                    + "VALUES (?, 'sub', 'rg', 'target1', ?, ?, ?, ?, 1, 0, 0)")) {
                insert.setString(1, m.migrationId());
                insert.setString(2, m.key().name().toLowerCase(java.util.Locale.ROOT));
                insert.setString(3, m.status().state().name());
                insert.setString(4, Documents.write(m.withSealedSecrets(null)));
                insert.setString(5, m.sealedSecrets());
                insert.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO checkpoints (migration_id, key, value) "
                    + "VALUES (?, ?, ?)")) {
                insert.setString(1, m.migrationId());
                insert.setString(2, OLD_CHECKPOINT);
                insert.setString(3, OLD_CHECKPOINT_VALUE);
                insert.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO servers (subscription_key, "
                    + "resource_group_key, kind, name_key, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)")) {
                insert.setString(1, server.key().subscription());
                insert.setString(2, server.key().resourceGroup());
                insert.setString(3, server.key().kind().name());
                insert.setString(4, server.key().name());
                insert.setString(5, Documents.write(server));
                insert.executeUpdate();
            }
            assertThat(SchemaMigrations.userVersion(c)).isEqualTo(version);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void markSchemaVersion(int version) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = " + version);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theFileIsPrivateInWalModeAtTheCurrentSchemaVersion() throws Exception {
        SqliteStore.open(file()).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(SqliteStore.currentSchemaVersion());
            }
        }
    }
}
