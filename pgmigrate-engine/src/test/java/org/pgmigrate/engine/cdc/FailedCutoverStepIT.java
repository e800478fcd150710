package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * A cutover step that fails on the target (a materialized view whose refresh raises there) leaves an honest state:
 * the error names the step and its cause, replication applies changes again with its counters intact, the slot is
 * still there, and a second cutover, once the cause is fixed, completes with the target equal to the source.
 */
@Timeout(300)
class FailedCutoverStepIT {

    @TempDir
    Path work;

    @Test
    void aFailedStepPutsReplicationBackToApplyingAndTheCutoverCanBeRetried() throws Exception {
        try (PgCluster source = Testbed.cluster(15, "failed-step-source");
             PgCluster target = Testbed.cluster(15, "failed-step-target")) {
            source.createDatabase("shop");
            source.execute("shop", """
                    CREATE TABLE guard (reason text PRIMARY KEY);
                    CREATE FUNCTION unguarded() RETURNS boolean LANGUAGE plpgsql AS $$
                    BEGIN
                      IF EXISTS (SELECT 1 FROM public.guard) THEN
                        RAISE EXCEPTION 'guarded: %', (SELECT string_agg(reason, ', ') FROM public.guard);
                      END IF;
                      RETURN true;
                    END $$;
                    CREATE TABLE orders (id bigserial PRIMARY KEY, amount int);
                    INSERT INTO orders (amount) SELECT g FROM generate_series(1, 500) g;
                    CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(amount) AS amount FROM orders
                      WHERE unguarded();
                    """);
            PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
            PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
            ReplicationConfig config = ReplicationConfig.builder("failed-step", from, to, work.resolve("spool"))
                    .monitorInterval(Duration.ofMillis(200)).build();
            try (OnlineMigration migration = new OnlineMigration(new Engine(EngineSettings.defaults()),
                    DatabaseJob.of(from, to, work.resolve("job")), new OnlineReplication(config, new PgConnector()))) {
                migration.start(ProgressListener.NONE, new Cancellation());
                source.execute("shop", "INSERT INTO orders (amount) SELECT g FROM generate_series(1, 100) g");
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> migration.stats().appliedChanges() == 100);
                // Only the target's view refresh will raise.
                target.execute("shop", "INSERT INTO guard VALUES ('the target is not ready')");

                List<CutoverStep> steps = new ArrayList<>();
                CutoverJournal journal = new CutoverJournal() {
                    @Override
                    public void stepStarted(CutoverStep step) {
                        steps.add(step);
                    }

                    @Override
                    public void targetComplete(Lsn endPoint, Lsn applied) {
                        throw new AssertionError("the target is not complete");
                    }
                };
                EngineException e = catchThrowableOfType(
                        () -> migration.replication().cutover(Duration.ofSeconds(60), journal), EngineException.class);
                assertThat(e.error()).isEqualTo(EngineError.CUTOVER_FAILED);
                assertThat(e).hasMessageStartingWith("Cutover step 'refresh materialized views' failed:")
                        .hasMessageContaining("guarded: the target is not ready")
                        .hasMessageContaining("Changes are applied again, as before the cutover");
                assertThat(steps).containsExactly(CutoverStep.END_POINT, CutoverStep.DRAIN, CutoverStep.DURABLE,
                        CutoverStep.SEQUENCES, CutoverStep.IDENTITY, CutoverStep.MATERIALIZED_VIEWS);
                assertThat(migration.stats().state()).isEqualTo(ReplicationState.APPLYING);
                assertThat(migration.stats().failure()).isNull();
                assertThat(slots(source)).as("the slot is kept").isEqualTo(1);

                source.execute("shop", "INSERT INTO orders (amount) VALUES (7); UPDATE orders SET amount = 0 WHERE id = 1");
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> migration.stats().appliedChanges() == 102);
                assertThat(migration.stats().cdcInsertCounter()).as("counters carry on").isEqualTo(101);
                assertThat(migration.stats().incomingChanges()).isEqualTo(102);

                target.execute("shop", "DELETE FROM guard");
                CutoverResult done = migration.cutover(Duration.ofSeconds(60));
                assertThat(done.sourceCleanupProblem()).isNull();
                assertThat(done.finalStats().appliedChanges()).isEqualTo(102);
            }
            try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
                s.createStatement().execute("REFRESH MATERIALIZED VIEW totals");
                DatabaseComparer.assertEqual(s, t);
            }
            assertThat(slots(source)).isZero();
        }
    }

    private static long slots(PgCluster cluster) throws Exception {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
