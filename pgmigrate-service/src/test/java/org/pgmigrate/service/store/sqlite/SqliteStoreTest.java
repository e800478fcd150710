package org.pgmigrate.service.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.MigrationState;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;
import org.pgmigrate.service.store.SourceCleanup;

class SqliteStoreTest {

    @TempDir
    Path dir;

    private static Migration migration(String name, String id) {
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.sourceDbServerResourceId = "h:5432@u";
        b.dbsToMigrate = List.of("shop", "crm");
        ServerKey target = new ServerKey("sub", "RG", ServerKind.FLEXIBLE, "Target1");
        Instant now = Instant.parse("2025-06-01T18:30:22.123456Z");
        return new Migration(new MigrationKey(target, name), id, "local", Map.of("k", "v"), b.build(),
                MigrationStatus.PREREQUISITES, "", Map.of(), null, null, null, null, now, now, "v1:sealed", 0);
    }

    @Test
    void aMigrationRoundTripsAndNamesAreUniquePerTargetCaseInsensitively() {
        try (SqliteStore store = SqliteStore.open(dir.resolve("pgmigrate.db"))) {
            Migration m = migration("Mig1", "id-1");
            assertThat(store.migrations().insert(m)).isTrue();
            assertThat(store.migrations().insert(migration("mig1", "id-2"))).isFalse();
            Migration read = store.migrations().find(new MigrationKey(
                    new ServerKey("SUB", "rg", ServerKind.FLEXIBLE, "target1"), "MIG1")).orElseThrow();
            assertThat(read.key().name()).isEqualTo("Mig1");
            assertThat(read.spec()).isEqualTo(m.spec());
            assertThat(read.sealedSecrets()).isEqualTo("v1:sealed");
            assertThat(read.version()).isEqualTo(1);
            assertThat(read.status()).isEqualTo(MigrationStatus.PREREQUISITES);
        }
    }

    @Test
    void updatesAreAtomicAndKeepDatabaseOrder() {
        try (SqliteStore store = SqliteStore.open(dir.resolve("pgmigrate.db"))) {
            store.migrations().insert(migration("m", "id-1"));
            Migration u = store.migrations().update("id-1", m -> m.moveTo(MigrationStatus.MIGRATING)
                    .withDatabase("shop", d -> d.withState(DatabaseMigrationState.IN_PROGRESS, "Copying data", null))
                    .withDatabase("crm", d -> d)).orElseThrow();
            assertThat(u.version()).isEqualTo(2);
            Migration read = store.migrations().findById("id-1").orElseThrow();
            assertThat(read.dbDetails().keySet()).containsExactly("shop", "crm");
            assertThat(read.dbDetails().get("shop").migrationOperation()).isEqualTo("Copying data");
            assertThat(store.migrations().countByState()).containsEntry(MigrationState.IN_PROGRESS, 1L);
            assertThat(store.migrations().listActive()).hasSize(1);
            store.migrations().update("id-1", m -> m.fail("boom"));
            assertThat(store.migrations().listActive()).isEmpty();
            assertThat(DatabaseDetails.queued("x").migrationState()).isEqualTo(DatabaseMigrationState.IN_PROGRESS);
        }
    }

    @Test
    void leasesAndCheckpointsSurviveAReopen() {
        Path file = dir.resolve("pgmigrate.db");
        Instant now = Instant.now();
        try (SqliteStore store = SqliteStore.open(file)) {
            store.migrations().insert(migration("m", "id-1"));
            assertThat(store.migrations().acquireLease("id-1", "node-a", now.plusSeconds(60), now)).isTrue();
            assertThat(store.migrations().acquireLease("id-1", "node-b", now.plusSeconds(60), now)).isFalse();
            store.migrations().putCheckpoint("id-1", "part/shop/public.t/1", "done");
        }
        try (SqliteStore store = SqliteStore.open(file)) {
            assertThat(store.migrations().checkpoint("id-1", "part/shop/public.t/1")).contains("done");
            assertThat(store.migrations().releaseLeases("node-a")).isEqualTo(1);
            assertThat(store.migrations().acquireLease("id-1", "node-b", now.plusSeconds(60), now)).isTrue();
            store.migrations().delete("id-1");
            assertThat(store.migrations().checkpoint("id-1", "part/shop/public.t/1")).isEmpty();
        }
    }

    @Test
    void theFileIsPrivateInWalModeAtTheCurrentSchemaVersion() throws Exception {
        Path file = dir.resolve("pgmigrate.db");
        SqliteStore.open(file).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(SqliteStore.schemaVersion());
            }
        }
    }

    @Test
    void serversAreStoredAndListedByGroup() {
        try (SqliteStore store = SqliteStore.open(dir.resolve("pgmigrate.db"))) {
            Instant now = Instant.now();
            ServerKey key = new ServerKey("sub", "rg", ServerKind.SINGLE, "src1");
            RegisteredServer s = new RegisteredServer(key, "local", Map.of(), "db.example", 5433, "Require", null,
                    "postgres", "systemctl restart postgresql", "16", now, now);
            assertThat(store.servers().upsert(s)).isTrue();
            assertThat(store.servers().upsert(s)).isFalse();
            assertThat(store.servers().find(new ServerKey("SUB", "RG", ServerKind.SINGLE, "SRC1"))).contains(s);
            assertThat(store.servers().list("sub", null, ServerKind.SINGLE)).containsExactly(s);
            assertThat(store.servers().list("sub", "rg", ServerKind.FLEXIBLE)).isEmpty();
            assertThat(store.servers().delete(key)).isTrue();
        }
    }

    @Test
    void aSourceCleanupRecordOutlivesTheDeletedMigrationAndAReopen() {
        Path file = dir.resolve("pgmigrate.db");
        Instant created = Instant.parse("2025-06-01T18:30:22.123Z");
        SourceCleanup record = new SourceCleanup("id-1", "shop", "sub/rg/t/migrations/m", "host='h' port='5432'",
                "v1:sealed", "pgmigrate-source-changes/1 slot\ts", created, null, null);
        try (SqliteStore store = SqliteStore.open(file)) {
            store.migrations().insert(migration("m", "id-1"));
            store.sourceCleanups().put(record);
            store.sourceCleanups().put(new SourceCleanup("id-1", SourceCleanup.SERVER, "sub/rg/t/migrations/m",
                    "host='h'", null, "pgmigrate-source-changes/1", created.plusSeconds(1), null, null));
            assertThat(store.migrations().delete("id-1")).isTrue();
        }
        try (SqliteStore store = SqliteStore.open(file)) {
            assertThat(store.sourceCleanups().find("id-1", "shop")).contains(record);
            SourceCleanup tried = record.attempted(created.plusSeconds(5), "source down");
            store.sourceCleanups().put(tried);
            assertThat(store.sourceCleanups().list()).extracting(SourceCleanup::database).containsExactly("shop", "");
            assertThat(store.sourceCleanups().find("id-1", "shop")).contains(tried);
            store.sourceCleanups().delete("id-1", "shop");
            assertThat(store.sourceCleanups().find("id-1", "shop")).isEmpty();
            assertThat(store.sourceCleanups().list()).hasSize(1);
        }
    }
}
