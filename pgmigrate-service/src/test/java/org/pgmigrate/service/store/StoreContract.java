package org.pgmigrate.service.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

/**
 * What every {@link ServiceStore} must do, run against each implementation (SQLite: {@code SqliteStoreTest};
 * PostgreSQL: {@code PostgresStoreIT}): records round-trip, updates are atomic, leases are exclusive, expire and
 * carry a fencing token that refuses the writes of a lease's former holder, source cleanups outlive their migration,
 * everything survives a reopen, and an older schema is upgraded with its data while a newer one is refused.
 */
public abstract class StoreContract {

    /** Opens the store under test (the same one on every call: a reopen). */
    protected abstract ServiceStore open();

    /**
     * Creates the store under test at schema {@code version} (older than this build's) holding {@code m}, one
     * checkpoint of it ({@link #OLD_CHECKPOINT} = {@link #OLD_CHECKPOINT_VALUE}) and {@code server}, written with that
     * version's SQL, as an older pgmigrate left it.
     */
    protected abstract void createAtSchemaVersion(int version, Migration m, RegisteredServer server);

    protected static final String OLD_CHECKPOINT = "part/shop/public.t/1";
    protected static final String OLD_CHECKPOINT_VALUE = "done";

    /** Marks the store under test as written by a newer pgmigrate (schema {@code version}). */
    protected abstract void markSchemaVersion(int version);

    protected static Migration migration(String name, String id) {
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
        try (ServiceStore store = open()) {
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
            assertThat(store.migrations().listByTarget(new ServerKey("SUB", "rg", ServerKind.FLEXIBLE, "TARGET1")))
                    .extracting(Migration::migrationId).containsExactly("id-1");
            assertThat(store.migrations().findById("id-2")).isEmpty();
        }
    }

    @Test
    void updatesAreAtomicAndKeepDatabaseOrder() {
        try (ServiceStore store = open()) {
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
            assertThat(store.migrations().listAll()).hasSize(1);
            assertThat(store.migrations().update("gone", m -> m.fail("x"))).isEmpty();
            assertThat(DatabaseDetails.queued("x").migrationState()).isEqualTo(DatabaseMigrationState.IN_PROGRESS);
        }
    }

    @Test
    void concurrentReadModifyWritesNeverLoseAnUpdate() {
        try (ServiceStore store = open()) {
            store.migrations().insert(migration("m", "id-1"));
            List<CompletableFuture<Void>> writers = IntStream.range(0, 4).mapToObj(w -> CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 25; i++) {
                    store.migrations().update("id-1", m -> {
                        Map<String, String> tags = new HashMap<>(m.tags());
                        tags.merge("n", "1", (a, b) -> Integer.toString(Integer.parseInt(a) + 1));
                        return m.withTags(tags);
                    });
                }
            })).toList();
            writers.forEach(CompletableFuture::join);
            Migration read = store.migrations().findById("id-1").orElseThrow();
            assertThat(read.tags()).containsEntry("n", "100");
            assertThat(read.version()).isEqualTo(101);
        }
    }

    @Test
    void aLeaseIsExclusiveUntilItExpiresAndEveryClaimRaisesTheFencingToken() {
        try (ServiceStore store = open()) {
            MigrationStore migrations = store.migrations();
            migrations.insert(migration("m", "id-1"));
            Lease a = migrations.claim("id-1", "node-a", Duration.ofMillis(800)).orElseThrow();
            assertThat(migrations.claim("id-1", "node-b", Duration.ofSeconds(60))).isEmpty();
            assertThat(migrations.leasesOf("node-a")).containsExactly(a);
            assertThat(migrations.renew(a, Duration.ofMillis(800))).isTrue();
            // node-a stops renewing (paused): node-b gets the migration once the lease expires, with a larger token
            Lease b = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> migrations.claim("id-1", "node-b", Duration.ofSeconds(60)), Optional::isPresent)
                    .orElseThrow();
            assertThat(b.token()).isGreaterThan(a.token());
            assertThat(migrations.leasesOf("node-a")).isEmpty();
            assertThat(migrations.leasesOf("node-b")).containsExactly(b);
            assertThat(migrations.renew(a, Duration.ofSeconds(60))).as("the former holder cannot renew").isFalse();
            migrations.release(a);
            assertThat(migrations.leasesOf("node-b")).as("nor release the new holder's lease").containsExactly(b);
            migrations.release(b);
            Lease again = migrations.claim("id-1", "node-a", Duration.ofSeconds(60)).orElseThrow();
            assertThat(again.token()).as("the token only grows").isGreaterThan(b.token());
            // a node started again under its name takes its own lease back at once
            Lease restarted = migrations.claim("id-1", "node-a", Duration.ofSeconds(60)).orElseThrow();
            assertThat(restarted.token()).isGreaterThan(again.token());
        }
    }

    @Test
    void theFormerHolderOfALeaseCanNeverWriteAgain() {
        try (ServiceStore store = open()) {
            MigrationStore migrations = store.migrations();
            migrations.insert(migration("m", "id-1"));
            Lease a = migrations.claim("id-1", "node-a", Duration.ofMillis(300)).orElseThrow();
            migrations.update("id-1", a, m -> m.moveTo(MigrationStatus.MIGRATING));
            migrations.putCheckpoint("id-1", "part/1", "done by a", a);
            store.sourceCleanups().put(cleanup("id-1", "shop", "slot\ta"), a);
            Lease b = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> migrations.claim("id-1", "node-b", Duration.ofSeconds(60)), Optional::isPresent)
                    .orElseThrow();
            Migration before = migrations.findById("id-1").orElseThrow();

            assertThatThrownBy(() -> migrations.update("id-1", a, m -> m.fail("stale")))
                    .isInstanceOf(LeaseLostException.class).hasMessageContaining("node-a")
                    .hasMessageContaining("fencing token " + a.token());
            assertThatThrownBy(() -> migrations.putCheckpoint("id-1", "part/1", "stale", a))
                    .isInstanceOf(LeaseLostException.class);
            assertThatThrownBy(() -> migrations.putCheckpoint("id-1", "part/2", "stale", a))
                    .isInstanceOf(LeaseLostException.class);
            assertThatThrownBy(() -> store.sourceCleanups().put(cleanup("id-1", "shop", "slot\tstale"), a))
                    .isInstanceOf(LeaseLostException.class);
            assertThatThrownBy(() -> store.sourceCleanups().delete("id-1", "shop", a))
                    .isInstanceOf(LeaseLostException.class);

            Migration after = migrations.findById("id-1").orElseThrow();
            assertThat(after.version()).isEqualTo(before.version());
            assertThat(after.status()).isEqualTo(MigrationStatus.MIGRATING);
            assertThat(migrations.checkpoint("id-1", "part/1")).contains("done by a");
            assertThat(migrations.checkpoint("id-1", "part/2")).isEmpty();
            assertThat(store.sourceCleanups().find("id-1", "shop").orElseThrow().changes()).isEqualTo("slot\ta");

            // the new holder writes
            migrations.update("id-1", b, m -> m.moveTo(MigrationStatus.COMPLETING));
            migrations.putCheckpoint("id-1", "part/2", "done by b", b);
            store.sourceCleanups().delete("id-1", "shop", b);
            assertThat(migrations.findById("id-1").orElseThrow().status()).isEqualTo(MigrationStatus.COMPLETING);
            assertThat(migrations.checkpoint("id-1", "part/2")).contains("done by b");
            assertThat(store.sourceCleanups().find("id-1", "shop")).isEmpty();
            // a lease of a deleted migration fences too
            migrations.update("id-1", m -> m.fail("done"));
            migrations.delete("id-1");
            assertThatThrownBy(() -> migrations.putCheckpoint("id-1", "part/3", "x", b))
                    .isInstanceOf(LeaseLostException.class);
        }
    }

    @Test
    void leasesAndCheckpointsSurviveAReopen() {
        Lease a;
        try (ServiceStore store = open()) {
            store.migrations().insert(migration("m", "id-1"));
            a = store.migrations().claim("id-1", "node-a", Duration.ofSeconds(60)).orElseThrow();
            assertThat(store.migrations().claim("id-1", "node-b", Duration.ofSeconds(60))).isEmpty();
            store.migrations().putCheckpoint("id-1", "part/shop/public.t/1", "done");
        }
        try (ServiceStore store = open()) {
            assertThat(store.migrations().checkpoint("id-1", "part/shop/public.t/1")).contains("done");
            assertThat(store.migrations().leasesOf("node-a")).containsExactly(a);
            assertThat(store.migrations().releaseLeases("node-a")).isEqualTo(1);
            assertThat(store.migrations().claim("id-1", "node-b", Duration.ofSeconds(60))).isPresent();
            store.migrations().delete("id-1");
            assertThat(store.migrations().checkpoint("id-1", "part/shop/public.t/1")).isEmpty();
        }
    }

    protected static RegisteredServer server(ServerKey key) {
        Instant now = Instant.parse("2025-06-01T18:30:22.123Z");
        return new RegisteredServer(key, "local", Map.of(), "db.example", 5433, "Require", null, "postgres",
                "systemctl restart postgresql", "16", now, now);
    }

    @Test
    void serversAreStoredAndListedByGroup() {
        try (ServiceStore store = open()) {
            ServerKey key = new ServerKey("sub", "rg", ServerKind.SINGLE, "src1");
            RegisteredServer s = server(key);
            assertThat(store.servers().upsert(s)).isTrue();
            assertThat(store.servers().upsert(s)).isFalse();
            assertThat(store.servers().find(new ServerKey("SUB", "RG", ServerKind.SINGLE, "SRC1"))).contains(s);
            assertThat(store.servers().list("sub", null, ServerKind.SINGLE)).containsExactly(s);
            assertThat(store.servers().list(null, null, ServerKind.SINGLE)).containsExactly(s);
            assertThat(store.servers().list("sub", "rg", ServerKind.FLEXIBLE)).isEmpty();
            assertThat(store.servers().delete(key)).isTrue();
            assertThat(store.servers().delete(key)).isFalse();
        }
    }

    @Test
    void aSourceCleanupRecordOutlivesTheDeletedMigrationAndAReopen() {
        Instant created = Instant.parse("2025-06-01T18:30:22.123Z");
        SourceCleanup record = new SourceCleanup("id-1", "shop", "sub/rg/t/migrations/m", "host='h' port='5432'",
                "v1:sealed", "pgmigrate-source-changes/1 slot\ts", created, null, null);
        try (ServiceStore store = open()) {
            store.migrations().insert(migration("m", "id-1"));
            store.sourceCleanups().put(record);
            store.sourceCleanups().put(new SourceCleanup("id-1", SourceCleanup.SERVER, "sub/rg/t/migrations/m",
                    "host='h'", null, "pgmigrate-source-changes/1", created.plusSeconds(1), null, null));
            assertThat(store.migrations().delete("id-1")).isTrue();
        }
        try (ServiceStore store = open()) {
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

    /** Every released schema version before this build's: v1 (no source cleanups), v2 (no fencing tokens). */
    @ParameterizedTest(name = "from schema version {0}")
    @ValueSource(ints = {1, 2})
    void anOlderSchemaIsUpgradedWithItsDataAndGetsWhatItLacked(int version) {
        Migration old = migration("old", "id-old");
        RegisteredServer server = server(new ServerKey("sub", "rg", ServerKind.SINGLE, "src1"));
        createAtSchemaVersion(version, old, server);
        try (ServiceStore store = open()) {
            assertThat(store.schemaVersion()).isEqualTo(3);
            Migration read = store.migrations().findById("id-old").orElseThrow();
            assertThat(read.spec()).isEqualTo(old.spec());
            assertThat(read.sealedSecrets()).isEqualTo("v1:sealed");
            assertThat(store.migrations().find(new MigrationKey(new ServerKey("SUB", "RG", ServerKind.FLEXIBLE,
                    "TARGET1"), "OLD"))).map(Migration::migrationId).contains("id-old");
            assertThat(store.migrations().checkpoint("id-old", OLD_CHECKPOINT)).contains(OLD_CHECKPOINT_VALUE);
            assertThat(store.servers().find(server.key())).contains(server);
            // v3: fencing tokens, from 1 for a migration an older pgmigrate created
            Lease first = store.migrations().claim("id-old", "node-a", Duration.ofSeconds(60)).orElseThrow();
            assertThat(first.token()).isEqualTo(1);
            assertThat(store.migrations().update("id-old", first, m -> m.moveTo(MigrationStatus.MIGRATING)))
                    .map(Migration::status).contains(MigrationStatus.MIGRATING);
            // v2: source cleanups
            SourceCleanup cleanup = cleanup("id-old", "shop", "slot\ts");
            store.sourceCleanups().put(cleanup, first);
            assertThat(store.sourceCleanups().find("id-old", "shop")).contains(cleanup);
        }
        try (ServiceStore store = open()) {
            assertThat(store.schemaVersion()).as("a reopen upgrades nothing twice").isEqualTo(3);
            assertThat(store.migrations().findById("id-old").orElseThrow().status())
                    .isEqualTo(MigrationStatus.MIGRATING);
            assertThat(store.migrations().checkpoint("id-old", OLD_CHECKPOINT)).contains(OLD_CHECKPOINT_VALUE);
        }
    }

    @Test
    void aStoreWrittenByANewerPgmigrateIsRefused() {
        open().close();
        markSchemaVersion(99);
        assertThatThrownBy(this::open).hasMessageContaining("schema version 99, newer than this pgmigrate");
    }

    private static SourceCleanup cleanup(String migrationId, String db, String changes) {
        return new SourceCleanup(migrationId, db, "sub/rg/t/migrations/m", "host='h'", null, changes,
                Instant.parse("2025-06-01T18:30:22.123Z"), null, null);
    }
}
