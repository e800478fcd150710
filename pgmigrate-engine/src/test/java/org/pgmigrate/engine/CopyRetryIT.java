package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.RestoreGate;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * A COPY cut in the middle (its backend terminated on the target or on the source, a commit whose answer never
 * came) is retried on new sessions, and every row lands exactly once; the tables have no key, so a duplicate would
 * show in the counts. A failure that a retry cannot fix (a constraint violation) fails at once.
 */
@Timeout(300)
class CopyRetryIT {

    /**
     * Rows of 2.2 kB that compress on disk: the COPY stream (about 135 MB) is far larger than what the loopback's
     * socket buffers can hold in flight (some 70 MB here), so a source COPY held back by the target is still sending.
     */
    private static final int EVENTS = 60_000;
    /** The row at which the target's COPY of events waits while the gate is held. */
    private static final int GATE_ROW = 5_000;
    private static final int LEDGER = 200_000;
    private static final int NOTES = 5_000;

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() {
        source = clusters.source();
        target = clusters.target();
        // events: one whole-table part whose COPY stops at row GATE_ROW on the target while the gate gate_copy is
        // held (a domain CHECK calls the gate for that value only).
        source.createDatabase("events");
        source.execute("events", RestoreGate.functionSql()
                + "CREATE DOMAIN public.gated_int AS int CHECK (VALUE <> " + GATE_ROW
                + " OR public.restore_gate('gate_copy'));"
                + "CREATE TABLE public.events (n public.gated_int, payload text);"
                + "INSERT INTO public.events SELECT g, repeat(md5(g::text), 70) FROM generate_series(1, " + EVENTS + ") g;");
        // notes: a small table (under EmptyTargetTables' 1 MB), no key.
        source.createDatabase("notes");
        source.execute("notes", "CREATE TABLE public.notes (n int, note text);"
                + "INSERT INTO public.notes SELECT g, md5(g::text) FROM generate_series(1, " + NOTES + ") g;");
        // ledger: about 45 MB in ctid-range parts (no key).
        source.createDatabase("ledger");
        source.execute("ledger", "CREATE TABLE public.ledger (n bigint, payload text);"
                + "INSERT INTO public.ledger SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, " + LEDGER + ") g;");
    }

    @Test
    void aTargetBackendTerminatedMidCopyIsRetriedAndEveryRowLandsOnce() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        try (RestoreGate gate = RestoreGate.hold(target, "gate_copy")) {
            CompletableFuture<DatabaseReport> run = start("events", "events_t", noticesInto(notices));
            int first = gate.awaitWaiter("pgmigrate-copy", Duration.ofSeconds(120), Set.of());
            assertThat(scalar(target, "postgres", "SELECT tuples_processed FROM pg_stat_progress_copy WHERE pid = " + first))
                    .as("rows in flight in the target's COPY").isEqualTo(Integer.toString(GATE_ROW - 1));
            assertThat(scalar(target, "postgres", "SELECT pg_terminate_backend(" + first + ")")).isEqualTo("t");
            int second = gate.awaitWaiter("pgmigrate-copy", Duration.ofSeconds(60), Set.of(first));
            assertThat(second).isNotEqualTo(first);
            gate.open();
            DatabaseReport report = run.get(120, TimeUnit.SECONDS);
            assertThat(report.verification().equal()).isTrue();
        }
        assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("COPY of public.events failed (attempt 1 of 3):"
                + " lost the connection to the target server " + target.host() + ":" + target.port())
                .endsWith("Retrying in 1 s on new sessions."));
        assertEveryRowOnce("events", "events_t", EVENTS);
    }

    @Test
    void aSourceBackendTerminatedMidCopyIsRetriedInTheSameSnapshot() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        try (RestoreGate gate = RestoreGate.hold(target, "gate_copy")) {
            CompletableFuture<DatabaseReport> run = start("events", "events_s", noticesInto(notices));
            gate.awaitWaiter("pgmigrate-copy", Duration.ofSeconds(120), Set.of());
            // The target holds the COPY at row GATE_ROW, so the worker stops reading: the source's COPY is blocked
            // sending the rest of the table.
            String sourceCopy = "SELECT pid FROM pg_stat_activity WHERE datname = 'events' AND application_name ="
                    + " 'pgmigrate-copy' AND query LIKE 'COPY %' AND wait_event = 'ClientWrite'";
            String pid = await().atMost(Duration.ofSeconds(60)).until(() -> scalar(source, "postgres", sourceCopy),
                    p -> p != null);
            assertThat(scalar(source, "postgres", "SELECT pg_terminate_backend(" + pid + ")")).isEqualTo("t");
            // Something else changes the source now: the retry still reads the migration's snapshot.
            source.execute("events", "INSERT INTO public.events VALUES (-1, 'after the snapshot')");
            gate.open();
            DatabaseReport report = run.get(120, TimeUnit.SECONDS);
            assertThat(report.verification().equal()).isTrue();
        } finally {
            source.execute("events", "DELETE FROM public.events WHERE n = -1");
        }
        assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("COPY of public.events failed (attempt 1 of 3):"
                + " lost the connection to the source server " + source.host() + ":" + source.port()));
        assertEveryRowOnce("events", "events_s", EVENTS);
    }

    /**
     * The target commits a range part but its answer never reaches pgmigrate: the COMMIT waits for a synchronous
     * standby that does not exist (the transaction is then committed locally), and its backend is terminated. The
     * retry must learn from txid_status that the part committed, and not copy it again.
     */
    @Test
    void aRangePartWhoseCommitAnswerWasLostIsNotCopiedAgain() throws Exception {
        List<String> notices = runWithTheFirstCommitAnswerLost(job("ledger", "ledger_t")
                .withCopy(CopyOptions.defaults().withJobs(1, 1).withSplitThreshold(8L << 20)));

        assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("COPY of public.ledger part ")
                .contains("(attempt 1 of 3): lost the connection to the target server"));
        assertEveryRowOnce("ledger", "ledger_t", LEDGER);
    }

    /**
     * The same lost answer for a small whole table, which a fresh target proves empty and which is therefore loaded
     * by a plain COPY without TRUNCATE: the retry cannot know whether that COPY committed, so it truncates and
     * reloads, and no row lands twice.
     */
    @Test
    void aSmallTableWhoseCommitAnswerWasLostIsReplacedNotLoadedTwice() throws Exception {
        List<String> notices = runWithTheFirstCommitAnswerLost(job("notes", "notes_t"));

        assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("COPY of public.notes failed (attempt 1 of 3):"
                + " lost the connection to the target server"));
        assertEveryRowOnce("notes", "notes_t", NOTES);
    }

    /**
     * Runs {@code job} (verified equal at the end) with the answer to its first part's COMMIT lost: once rows were
     * copied, commits wait for a synchronous standby that does not exist, and the waiting backend is terminated;
     * the retry's notice lifts the wait. Returns the notices.
     */
    private List<String> runWithTheFirstCommitAnswerLost(DatabaseJob job) throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        AtomicBoolean armed = new AtomicBoolean();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void rowsCopied(String database, String table, long rows, long bytes) {
                // Runs on the copy worker after rows went in (at the latest, after its COPY ended, before its
                // commit): the commit that ends this part will wait for the standby.
                if (armed.compareAndSet(false, true)) {
                    setSynchronousStandby("pgmigrate_no_such_standby");
                }
            }

            @Override
            public void notice(String database, String message) {
                notices.add(message);
                if (message.contains("Retrying")) {
                    // Runs on the worker before it retries: later commits need no standby.
                    setSynchronousStandby("");
                }
            }
        };
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("journal"))) {
            CompletableFuture<DatabaseReport> run = CompletableFuture.supplyAsync(
                    () -> engine.migrateDatabase(job, listener, checkpoints, new Cancellation()));
            String waiting = "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgmigrate-copy'"
                    + " AND wait_event = 'SyncRep'";
            String pid = await().atMost(Duration.ofSeconds(120)).until(() -> scalar(target, "postgres", waiting),
                    p -> p != null);
            assertThat(scalar(target, "postgres", "SELECT pg_terminate_backend(" + pid + ")")).isEqualTo("t");
            DatabaseReport report = run.get(120, TimeUnit.SECONDS);
            assertThat(report.verification().equal()).isTrue();
        } finally {
            setSynchronousStandby("");
        }
        return notices;
    }

    @Test
    void aConstraintViolationFailsAtOnceWithoutRetry() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void phaseStarted(String database, Phase phase) {
                if (phase == Phase.COPY) {
                    target.execute("events_v", "ALTER TABLE public.events ADD CONSTRAINT small CHECK (n < 1000)");
                }
            }

            @Override
            public void notice(String database, String message) {
                notices.add(message);
            }
        };
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("journal"))) {
            assertThatThrownBy(() -> engine.migrateDatabase(job("events", "events_v"), listener, checkpoints,
                    new Cancellation()))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error()).isEqualTo(EngineError.COPY_FAILED))
                    .hasMessageStartingWith("COPY of public.events failed after 0 rows: ERROR: new row for relation"
                            + " \"events\" violates check constraint \"small\"")
                    .hasMessageContaining("(on the target server " + target.host() + ":" + target.port() + ")")
                    .hasMessageNotContaining("attempts");
        }
        assertThat(notices).noneSatisfy(n -> assertThat(n).contains("Retrying"));
    }

    /** Test clusters run with synchronous_commit off; a commit waits for a standby only with it on. */
    private static void setSynchronousStandby(String names) {
        if (names.isEmpty()) {
            target.execute("postgres", "ALTER SYSTEM RESET synchronous_standby_names");
            target.execute("postgres", "ALTER SYSTEM RESET synchronous_commit");
        } else {
            target.execute("postgres", "ALTER SYSTEM SET synchronous_standby_names = '" + names + "'");
            target.execute("postgres", "ALTER SYSTEM SET synchronous_commit = on");
        }
        target.reload();
        // A new session forks from the postmaster once it has reloaded and signalled every backend.
        await().atMost(Duration.ofSeconds(30)).until(() -> names.equals(scalar(target, "postgres",
                "SELECT current_setting('synchronous_standby_names')")));
    }

    private void assertEveryRowOnce(String sourceDb, String targetDb, int rows) throws SQLException {
        String table = "public." + sourceDb;
        assertThat(scalar(target, targetDb, "SELECT count(*) || ' ' || count(DISTINCT n) FROM " + table))
                .isEqualTo(rows + " " + rows);
        try (Connection s = source.connect(sourceDb); Connection t = target.connect(targetDb)) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    private CompletableFuture<DatabaseReport> start(String sourceDb, String targetDb, ProgressListener listener)
            throws Exception {
        DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve(targetDb + "-journal"));
        return CompletableFuture.supplyAsync(() -> {
            try (checkpoints) {
                return engine.migrateDatabase(job(sourceDb, targetDb), listener, checkpoints, new Cancellation());
            }
        });
    }

    private static ProgressListener noticesInto(List<String> notices) {
        return new ProgressListener() {
            @Override
            public void notice(String database, String message) {
                notices.add(message);
            }
        };
    }

    private static String scalar(PgCluster cluster, String db, String sql) throws SQLException {
        try (Connection c = cluster.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private DatabaseJob job(String sourceDb, String targetDb) {
        return DatabaseJob.of(PgEndpoint.parse(source.uri(sourceDb)), PgEndpoint.parse(target.uri(targetDb)),
                work.resolve(targetDb)).withCopy(CopyOptions.defaults().withJobs(1, 1));
    }
}
