package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.postgresql.PGConnection;

/**
 * What an online replication changes on the source is recorded before it is changed and undone: replica identities
 * set to FULL get their earlier identity back at cancel (also from another process, from the record alone) and at
 * cutover, unless the user changed them since; ALTER SYSTEM settings go back only while postgresql.auto.conf holds
 * pgmigrate's value and the server could still start. And slot creation names the transactions it waits for.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SourceUndoIT {

    private static PgCluster source;
    private static PgCluster target;

    @TempDir
    Path spool;

    @BeforeAll
    static void startClusters() {
        source = Testbed.cluster(15, "undo-source");
        target = Testbed.cluster(15, "undo-target");
    }

    @AfterAll
    static void stopClusters() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    @Test
    void aCancelInAnotherProcessRestoresTheReplicaIdentitiesFromTheRecordAloneAndLeavesTheUsersOwn() {
        Testbed bed = Testbed.create(source, target, "identities", "CREATE TABLE plain (a int, b text);"
                + " CREATE TABLE nothing (a int); ALTER TABLE nothing REPLICA IDENTITY NOTHING;"
                + " CREATE TABLE theirs (a int); CREATE TABLE keyed (id int PRIMARY KEY)");
        ReplicationConfig config = bed.config("identities", spool).allowReplicaIdentityFull(true).build();
        try (DirectoryCheckpointStore store = DirectoryCheckpointStore.open(spool.resolve("checkpoints"))) {
            // The record must be written before the tables change: a crash right after the ALTERs would lose it.
            SourceChangeLog durable = SourceChangeLog.in(store, "cdc/source-changes");
            List<String> seenAtRecord = new CopyOnWriteArrayList<>();
            SourceChangeLog watched = new SourceChangeLog() {
                @Override
                public SourceChanges load() {
                    return durable.load();
                }

                @Override
                public void save(SourceChanges changes) {
                    seenAtRecord.add(bed.sourceString("SELECT string_agg(relname || '=' || relreplident::text, ',' ORDER BY"
                            + " relname) FROM pg_class WHERE relname IN ('plain', 'nothing', 'theirs')"));
                    durable.save(changes);
                }
            };
            OnlineReplication first = new OnlineReplication(config, new PgConnector(), watched);
            first.prepare();
            first.close(); // the process dies: slot, publication and FULL stay
            assertThat(seenAtRecord.get(0)).isEqualTo("nothing=n,plain=d,theirs=d");
            assertThat(identities(bed)).isEqualTo("nothing=f,plain=f,theirs=f");
            bed.source("ALTER TABLE theirs REPLICA IDENTITY NOTHING"); // the user's own decision since

            OnlineReplication second = new OnlineReplication(config, new PgConnector(), durable);
            second.cancel();
            assertThat(identities(bed)).isEqualTo("nothing=n,plain=d,theirs=n");
            assertThat(bed.slotExists(config.names().slot())).isFalse();
            assertThat(bed.publicationExists(config.names().publication())).isFalse();
            assertThat(second.sourceUndo().describe())
                    .contains("slot and publication on the source were dropped")
                    .contains("restored on 2 tables: public.nothing (NOTHING), public.plain (DEFAULT)")
                    .contains("the replica identity of public.theirs (NOTHING) was changed since pgmigrate set"
                            + " it to FULL, so it was left as it is");
            assertThat(durable.load().isEmpty()).as("nothing left to retry").isTrue();
        }
    }

    @Test
    void cutoverRestoresTheReplicaIdentityItSetToFull() {
        Testbed bed = Testbed.create(source, target, "cutfull", "CREATE TABLE audit (at int, what text);"
                + " CREATE TABLE orders (id int PRIMARY KEY)");
        bed.source("INSERT INTO audit VALUES (1, 'a'), (2, 'b')");
        try (OnlineReplication r = bed.startOnline(bed.replication("cutfull", spool,
                b -> b.allowReplicaIdentityFull(true)), "audit", "orders")) {
            assertThat(identity(bed, "audit")).isEqualTo("f");
            bed.target("ALTER TABLE audit REPLICA IDENTITY FULL"); // as the engine's schema copy (pg_dump) carries it
            bed.source("UPDATE audit SET what = 'changed' WHERE at = 1; DELETE FROM audit WHERE at = 2");
            r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("audit", "at");
            assertThat(identity(bed, "audit")).as("the source no longer writes whole old rows").isEqualTo("d");
            assertThat(bed.targetString("SELECT relreplident FROM pg_class WHERE relname = 'audit'"))
                    .as("nor does the target keep what the schema copy carried over").isEqualTo("d");
            assertThat(r.sourceUndo().describe()).contains("public.audit (DEFAULT)")
                    .contains("the target's copies of 1 of these tables got their earlier replica identity too");
            assertThat(r.sourceUndo().complete()).isTrue();
        }
    }

    @Test
    void slotCreationNamesTheTransactionItWaitsForAndGoesOnOnceItCommits() throws Exception {
        Testbed bed = Testbed.create(source, target, "waits", "CREATE TABLE t (id int PRIMARY KEY)");
        List<String> notices = new CopyOnWriteArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void notice(String database, String message) {
                notices.add(database + ": " + message);
            }
        };
        try (Connection open = source.connect("waits");
             OnlineReplication r = bed.replication("waits", spool, b -> { })) {
            int pid = openWriteTransaction(open, "app-holding-a-lock");
            CompletableFuture<SlotSnapshot> prepared = CompletableFuture.supplyAsync(
                    () -> r.prepare(listener, new Cancellation()));
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> notices.stream().anyMatch(n -> n.contains("pid " + pid + " ")));
            String notice = notices.get(notices.size() - 1);
            assertThat(notice).startsWith("waits: Creating replication slot " + r.names().slot())
                    .contains("pid " + pid + " (user " + source.superuser())
                    .contains("application_name 'app-holding-a-lock'").contains("idle in transaction since")
                    .contains("last query: INSERT INTO t VALUES (1)")
                    .contains("COMMIT or ROLLBACK in that session")
                    .contains("SELECT pg_catalog.pg_terminate_backend(" + pid + ");");
            assertThat(prepared).isNotDone();
            open.commit();
            SlotSnapshot slot = prepared.get(30, TimeUnit.SECONDS);
            assertThat(bed.slotExists(slot.slotName())).isTrue();
            r.cancel();
        }
    }

    @Test
    void aCancelEndsTheWaitForSlotCreationAndLeavesNoSlot() throws Exception {
        Testbed bed = Testbed.create(source, target, "waitcancel", "CREATE TABLE t (id int PRIMARY KEY)");
        List<String> notices = new CopyOnWriteArrayList<>();
        Cancellation cancel = new Cancellation();
        try (Connection open = source.connect("waitcancel");
             OnlineReplication r = bed.replication("waitcancel", spool, b -> { })) {
            int pid = openWriteTransaction(open, "holder");
            CompletableFuture<SlotSnapshot> prepared = CompletableFuture.supplyAsync(
                    () -> r.prepare(new ProgressListener() {
                        @Override
                        public void notice(String database, String message) {
                            notices.add(message);
                        }
                    }, cancel));
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> notices.stream().anyMatch(n -> n.contains("pid " + pid + " ")));
            cancel.cancel();
            assertThatThrownBy(() -> prepared.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(EngineException.class,
                            e -> assertThat(e.error()).isEqualTo(EngineError.CANCELED));
            r.cancel();
            open.rollback();
            assertThat(bed.slotExists(r.names().slot())).isFalse();
            assertThat(bed.publicationExists(r.names().publication())).isFalse();
        }
    }

    @Test
    void alterSystemIsRecordedFirstAndPutBackOnlyWhilePgmigratesValueHoldsAndTheServerCouldStart() throws Exception {
        try (PgCluster server = PgCluster.builder().version(15).name("undo-settings").start();
             Connection c = server.connect("postgres")) {
            PgEndpoint endpoint = PgEndpoint.parse(server.uri("postgres")).withDatabase(null);
            String liveSenders = setting(c, "max_wal_senders");
            SourceChangeLog log = SourceChangeLog.inMemory();
            execute(c, "ALTER SYSTEM SET wal_level = 'replica'"); // what the user had in postgresql.auto.conf
            Map<String, String> wanted = new LinkedHashMap<>();
            wanted.put("wal_level", "logical");
            wanted.put("max_wal_senders", "17");
            AlterSystem.set(c, wanted, log);
            assertThat(log.load().settings()).containsExactly(
                    new SourceChanges.SettingChange("wal_level", "replica", true, "logical"),
                    new SourceChanges.SettingChange("max_wal_senders", null, true, "17"));
            assertThat(autoConf(c, "max_wal_senders")).isEqualTo("17");

            // Another logical slot on the server: wal_level must stay logical, or the server would not start.
            execute(c, "SELECT pg_create_logical_replication_slot('someone_elses', 'pgoutput')");
            SourceUndo.Report blocked = new SourceUndo(endpoint).undo(new PgConnector(), log.load());
            assertThat(autoConf(c, "wal_level")).isEqualTo("logical");
            assertThat(autoConf(c, "max_wal_senders")).as("reset").isNull();
            assertThat(blocked.describe())
                    .contains("ALTER SYSTEM RESET max_wal_senders was run on the source server " + endpoint.address()
                            + " (pgmigrate had set it to '17'), before pgmigrate's value ever took effect")
                    .contains("wal_level stays 'logical': logical replication slots exist on the server"
                            + " (someone_elses)");
            assertThat(setting(c, "max_wal_senders")).isEqualTo(liveSenders);

            execute(c, "SELECT pg_drop_replication_slot('someone_elses')");
            SourceUndo.Report restored = new SourceUndo(endpoint).undo(new PgConnector(), log.load());
            assertThat(autoConf(c, "wal_level")).as("the user's own entry is back").isEqualTo("replica");
            assertThat(restored.describe()).contains("ALTER SYSTEM SET wal_level = 'replica' was run")
                    .contains("wal_level=logical stays in effect until the source restarts");

            // Changed by someone else since: left as it is.
            AlterSystem.set(c, Map.of("max_wal_senders", "17"), log);
            execute(c, "ALTER SYSTEM SET max_wal_senders = 25");
            SourceUndo.Report theirs = new SourceUndo(endpoint).undo(new PgConnector(),
                    SourceChanges.NONE.withSettings(List.of(new SourceChanges.SettingChange("max_wal_senders", null,
                            true, "17"))));
            assertThat(autoConf(c, "max_wal_senders")).isEqualTo("25");
            assertThat(theirs.describe()).contains("max_wal_senders is '25' in postgresql.auto.conf, not the '17'"
                    + " pgmigrate set, so it was left as it is");
            assertThat(theirs.complete()).isTrue();
        }
    }

    private static int openWriteTransaction(Connection c, String application) throws SQLException {
        c.setClientInfo("ApplicationName", application);
        c.setAutoCommit(false);
        execute(c, "INSERT INTO t VALUES (1)");
        return c.unwrap(PGConnection.class).getBackendPID();
    }

    private static String identities(Testbed bed) {
        return bed.sourceString("SELECT string_agg(relname || '=' || relreplident::text, ',' ORDER BY relname) FROM pg_class"
                + " WHERE relname IN ('plain', 'nothing', 'theirs')");
    }

    private static String identity(Testbed bed, String table) {
        return bed.sourceString("SELECT relreplident FROM pg_class WHERE relname = '" + table + "'");
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String autoConf(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT setting FROM pg_file_settings"
                + " WHERE name = '" + name + "' AND sourcefile LIKE '%postgresql.auto.conf' ORDER BY seqno DESC LIMIT 1")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
