package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.Endpoints;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.cdc.CutoverResult;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.cdc.ReplicationStats;
import org.pgmigrate.engine.cdc.SourceUndo;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.verify.CutoverVerification;
import org.pgmigrate.engine.verify.VerificationReport;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * The online demo on two running servers whose source holds the sample {@code shop} database: a write load runs on
 * the source while the engine copies it under the replication slot's snapshot and captures changes; changes are then
 * applied while the load goes on, the writes stop and the latency falls to zero, the engine's cutover and its
 * verification run as one call (as the service's do), and the testkit's independent comparer proves the target equals
 * the source once more.
 *
 * <p>Blocks for the whole run; not thread-safe. A failure throws {@link CliException} (exit code 1) after dropping
 * the replication slot.
 */
final class OnlineDemo {

    /** How long changes are applied under the load once the copy's backlog is applied, so the steady latency shows. */
    private static final Duration STEADY_PERIOD = Duration.ofSeconds(5);
    /** The longest the load keeps running while the backlog of the copy is applied. */
    private static final Duration BACKLOG_LIMIT = Duration.ofSeconds(40);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration CUTOVER_TIMEOUT = Duration.ofMinutes(3);

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean terminal;
    private final PgCluster source;
    private final PgCluster target;
    private final DemoLoadOptions load;
    private final Path work;

    /** Shape of the write load: sessions, total transactions per second, and the sample's size (orders). */
    record DemoLoadOptions(int writers, int transactionsPerSecond, int rows) {
    }

    OnlineDemo(PrintWriter out, PrintWriter err, boolean terminal, PgCluster source, PgCluster target,
               DemoLoadOptions load, Path work) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.source = source;
        this.target = target;
        this.load = load;
        this.work = work;
    }

    /** @param started {@link System#nanoTime()} when the demo started, for the total wall time */
    void run(long started) throws SQLException {
        PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
        PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
        // shop.audit_log has no key: without REPLICA IDENTITY FULL its UPDATEs and DELETEs could not be replicated.
        // The index lets the target find a row by its old values without scanning the table for each change.
        source.execute("shop", "CREATE INDEX audit_log_what ON shop.audit_log (what)");
        out.println("shop.audit_log has no primary key: the demo allows REPLICA IDENTITY FULL on it (in a migration:"
                + " property allowReplicaIdentityFull, flag --allow-replica-identity-full), so its UPDATEs and DELETEs"
                + " carry the whole old row; an index on audit_log(what) lets the target find that row.");
        Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(Endpoints.toolSearchPath()));
        ReplicationConfig config = ReplicationConfig.builder("demo", from, to, work.resolve("spool"))
                .allowReplicaIdentityFull(true)
                .monitorInterval(Duration.ofMillis(250))
                .build();
        DatabaseJob job = new DatabaseJob(from, to, CopyOptions.defaults().withJobs(4, 4).withSplitThreshold(8L << 20),
                false, false, true, true, work.resolve("job"), null);
        try (ShopWriteLoad writes = new ShopWriteLoad(() -> source.connect("shop"), load.writers(),
                     load.transactionsPerSecond(), load.rows(), System.nanoTime());
             OnlineMigration migration = new OnlineMigration(engine, job,
                     new OnlineReplication(config, new PgConnector()))) {
            out.printf(Locale.ROOT, "Write load on the source: %d sessions, about %d transactions/s (new orders with"
                    + " order lines and TOASTed notes, status changes, note edits, price and jsonb updates, deletes,"
                    + " partitioned events, audit_log rows)%n", load.writers(), load.transactionsPerSecond());
            writes.start();
            try {
                migrate(migration, writes, started);
            } catch (RuntimeException | SQLException e) {
                writes.close();
                dropReplication(migration, e);
                throw e;
            }
        }
    }

    private void migrate(OnlineMigration migration, ShopWriteLoad writes, long started) throws SQLException {
        out.println("Migrating shop online: publication, replication slot with an exported snapshot, the engine's"
                + " parallel copy under that snapshot while changes are captured, then apply...");
        out.flush();
        long copyStarted = System.nanoTime();
        ProgressListener listener = terminal ? new LiveProgress(err) : new LogProgress(err);
        DatabaseReport report;
        try {
            report = migration.start(listener, new Cancellation());
        } finally {
            if (listener instanceof LiveProgress live) {
                live.close();
            }
        }
        Duration copyTook = Duration.ofNanos(System.nanoTime() - copyStarted);
        ReplicationStats afterCopy = migration.stats();
        out.printf(Locale.ROOT, "Base copy done in %s (slot %s). Changes captured meanwhile: %,d (spooled, %s)."
                + " Applying them while the load goes on:%n", CloneSummary.seconds(copyTook), migration.slot().slotName(),
                afterCopy.incomingChanges(), ByteSize.format(afterCopy.spoolBytes()));
        ReplicationView view = new ReplicationView(out, terminal, migration::stats, writes);
        Lsn endOfWrites;
        view.start();
        try {
            long backlogStarted = System.nanoTime();
            if (awaitBacklogApplied(migration, writes, afterCopy.incomingChanges())) {
                view.say(String.format(Locale.ROOT, "  The changes captured during the copy are applied (%s); steady"
                        + " state under the load:", CloneSummary.seconds(Duration.ofNanos(System.nanoTime() - backlogStarted))));
            }
            keepWriting(migration, writes, STEADY_PERIOD);
            writes.stop();
            view.say(String.format(Locale.ROOT, "  Writes stopped after %,d source transactions. Waiting for the"
                    + " target to catch up:", writes.transactions.get()));
            endOfWrites = awaitCaughtUp(migration);
        } finally {
            view.close();
        }
        out.printf(Locale.ROOT, "Caught up: latency 0s, every commit up to %s is applied. Cutting over...%n", endOfWrites);
        // Cutover refreshes the target's materialized view; the source's still shows the data of when it was loaded.
        source.execute("shop", "REFRESH MATERIALIZED VIEW shop.sales_by_status");
        OnlineMigration.VerifiedCutover done = migration.cutoverAndVerify(CUTOVER_TIMEOUT,
                new OnlineMigration.CutoverProgress() {
                    @Override
                    public void cutOver(CutoverResult cutover) {
                        out.printf(Locale.ROOT, "Cutover done in %s: end point %s, applied up to %s, %d sequences set"
                                + " from live source values, slot, publication and origin dropped.%n",
                                CloneSummary.seconds(cutover.took()), cutover.endPoint(), cutover.appliedPoint(),
                                cutover.sequencesSynchronized());
                        SourceUndo.Report undo = migration.sourceUndo();
                        if (undo != null && undo.eventful()) {
                            out.println("On the source: " + undo.describe());
                        }
                    }

                    @Override
                    public void verifying() {
                        out.println("Verifying the target against the source (writes stopped; the source's materialized"
                                + " view refreshed as cutover refreshed the target's)...");
                        out.flush();
                    }
                }, 2, new Cancellation());
        Verifications proof = verify(done.verification());
        CloneSummary.printDatabase(out, report);
        OnlineSummary.print(out, new OnlineSummary(writes, view.peakLatency(), done.cutover(), proof.engine(), proof.comparer(),
                slotsLeft(), Duration.ofNanos(System.nanoTime() - started)));
    }

    /**
     * Lets the load run until the changes captured during the copy are applied and the latency is under a second
     * (true), or for at most {@link #BACKLOG_LIMIT} (false: the machine is too slow for the load; the demo goes on).
     */
    private static boolean awaitBacklogApplied(OnlineMigration migration, ShopWriteLoad writes, long backlog) {
        long deadline = System.nanoTime() + BACKLOG_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            throwIfFailed(migration, writes);
            ReplicationStats s = migration.stats();
            if (s.appliedChanges() >= backlog && s.latency().compareTo(Duration.ofSeconds(1)) < 0) {
                return true;
            }
            pause();
        }
        return false;
    }

    /** Lets the load run for {@code period} while changes are applied; stops early on a failure. */
    private static void keepWriting(OnlineMigration migration, ShopWriteLoad writes, Duration period) {
        long deadline = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < deadline) {
            throwIfFailed(migration, writes);
            pause();
        }
    }

    /**
     * Waits until everything the source committed is applied: the source's WAL insert position after the last write
     * is the mark, and a non-transactional logical message moves the stream past it even when nothing else is
     * written. Returns the mark.
     */
    private Lsn awaitCaughtUp(OnlineMigration migration) throws SQLException {
        Lsn mark;
        try (Connection c = source.connect("shop"); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                mark = Lsn.parse(rs.getString(1));
            }
            s.execute("SELECT pg_logical_emit_message(false, 'pgmigrate-demo', 'writes stopped')");
        }
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        while (true) {
            throwIfFailed(migration, null);
            ReplicationStats s = migration.stats();
            if (s.appliedLsn().isAtLeast(mark) && s.latency().isZero()) {
                return mark;
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(ExitCode.FAILED, "The target did not catch up with the source within "
                        + CATCH_UP_TIMEOUT.toMinutes() + " minutes: applied up to " + s.appliedLsn() + ", source at "
                        + mark + ", latency " + s.latency().toSeconds() + "s. The machine may be overloaded.");
            }
            pause();
        }
    }

    private record Verifications(VerificationReport engine, List<String> comparer) {
    }

    /**
     * The engine's verification after the cutover (row counts and hashes of every table, sequences, definitions of
     * objects), then the testkit's comparer, which also compares materialized views, every kind of object and large
     * objects.
     */
    private Verifications verify(CutoverVerification engineVerdict) throws SQLException {
        VerificationReport report = engineVerdict.report();
        if (!report.equal()) {
            throw new CliException(ExitCode.FAILED, report.describeMismatches());
        }
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
            List<String> differences = DatabaseComparer.differences(s, t);
            if (!differences.isEmpty()) {
                throw new CliException(ExitCode.FAILED, "The independent comparison found differences after cutover:\n  "
                        + String.join("\n  ", differences));
            }
            return new Verifications(report, differences);
        }
    }

    private long slotsLeft() throws SQLException {
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void throwIfFailed(OnlineMigration migration, ShopWriteLoad writes) {
        String failure = migration.stats().failure();
        if (failure != null) {
            throw new CliException(ExitCode.FAILED, "Replication failed: " + failure);
        }
        if (writes != null && writes.failure() != null) {
            writes.stop(); // throws with the session's error
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100); // polling the counters of running threads
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.INTERRUPTED, "Interrupted");
        }
    }

    private static void dropReplication(OnlineMigration migration, Exception cause) {
        try {
            migration.cancel();
        } catch (EngineException | IllegalStateException e) {
            cause.addSuppressed(e);
        }
    }
}
