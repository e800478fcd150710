package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

/**
 * The engine-level resume every caller relies on: an {@link OnlineMigration} keeps its slot and progress in the
 * {@link org.pgmigrate.engine.checkpoint.CheckpointStore} it is given, so a new one on the same store (as after a
 * process restart) goes on from there. The first is closed after its base copy without a cutover; the source is
 * written meanwhile; the second resumes from the recorded slot and the target's applied position, and one call cuts
 * over and verifies.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OnlineResumeIT {

    @TempDir
    Path work;

    @Test
    void aNewMigrationOnTheSameStoreResumesAndCutsOverVerified() throws Exception {
        try (PgCluster source = Testbed.cluster(15, "resume-source");
             PgCluster target = Testbed.cluster(15, "resume-target");
             DirectoryCheckpointStore store = DirectoryCheckpointStore.open(work.resolve("checkpoints"))) {
            source.createDatabase("shop");
            try (Connection c = source.connect("shop")) {
                SampleDatabase.load(c, 5_000);
            }
            PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
            PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
            ReplicationConfig config = ReplicationConfig.builder("resume", from, to, work.resolve("spool"))
                    .allowReplicaIdentityFull(true).build();
            Engine engine = new Engine(EngineSettings.defaults());
            DatabaseJob job = DatabaseJob.of(from, to, work.resolve("job"));

            String slot;
            try (OnlineMigration first = new OnlineMigration(engine, job,
                    new OnlineReplication(config, new PgConnector()), store)) {
                DatabaseReport report = first.start(ProgressListener.NONE, new Cancellation());
                assertThat(report.tables()).isNotEmpty();
                slot = first.slot().slotName();
                source.execute("shop", "UPDATE shop.products SET price = price + 1 WHERE sku = 'SKU-1'");
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> first.stats().appliedChanges() >= 1);
            } // closed without a cutover: slot, publication, spool and progress stay

            OnlineProgress recorded = OnlineProgress.read(store, "shop");
            assertThat(recorded.phase()).isEqualTo(OnlineProgress.Phase.APPLYING);
            assertThat(recorded.copiedSlot().slotName()).isEqualTo(slot);
            assertThat(slotsOn(source)).containsExactly(slot);

            // Written while no process replicates: the slot keeps it for the next one.
            source.execute("shop", "INSERT INTO shop.orders (customer_id, status, total, placed_at, note)"
                    + " SELECT 1 + g % 100, 'new', g, now(), 'written while closed' FROM generate_series(1, 300) g");
            source.execute("shop", "DELETE FROM shop.order_lines WHERE order_id <= 5");
            // Cutover refreshes the target's materialized view; the source's would still show the data of its load.
            source.execute("shop", "REFRESH MATERIALIZED VIEW shop.sales_by_status");

            try (OnlineMigration second = new OnlineMigration(engine, job,
                    new OnlineReplication(config, new PgConnector()), store)) {
                assertThat(second.start(ProgressListener.NONE, new Cancellation())).as("resumed, not copied")
                        .isNull();
                assertThat(second.slot().slotName()).isEqualTo(slot);
                List<String> said = new ArrayList<>();
                OnlineMigration.VerifiedCutover done = second.cutoverAndVerify(Duration.ofSeconds(120),
                        new OnlineMigration.CutoverProgress() {
                            @Override
                            public void cutOver(CutoverResult result) {
                                said.add("cut over");
                            }

                            @Override
                            public void verifying() {
                                said.add("verifying");
                            }
                        }, 2, new Cancellation());
                assertThat(said).containsExactly("cut over", "verifying");
                // 300 orders and the 300 audit_log rows their trigger wrote; 5 orders' 3 lines each
                assertThat(done.cutover().finalStats().cdcInsertCounter()).as("the rows written while closed")
                        .isEqualTo(600);
                assertThat(done.cutover().finalStats().cdcDeleteCounter()).isEqualTo(15);
                assertThat(done.verification().passed()).as(done.verification().failures().toString()).isTrue();
                assertThat(done.verification().report().equal()).isTrue();
                assertThat(done.verification().warning()).isEmpty();
                assertThat(second.progress().phase()).isEqualTo(OnlineProgress.Phase.CUT_OVER);
            }
            assertThat(slotsOn(source)).isEmpty();
            try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
                DatabaseComparer.assertEqual(s, t);
            }

            // A process that died after the cutover but before its verification ended only verifies.
            try (OnlineMigration third = new OnlineMigration(engine, job,
                    new OnlineReplication(config, new PgConnector()), store)) {
                OnlineMigration.VerifiedCutover again = third.cutoverAndVerify(Duration.ofSeconds(120),
                        OnlineMigration.CutoverProgress.NONE, 2, new Cancellation());
                assertThat(again.cutover()).isNull();
                assertThat(again.verification().passed()).isTrue();
            }
        }
    }

    private static List<String> slotsOn(PgCluster source) throws Exception {
        List<String> slots = new ArrayList<>();
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT slot_name FROM pg_catalog.pg_replication_slots")) {
            while (rs.next()) {
                slots.add(rs.getString(1));
            }
        }
        return slots;
    }
}
