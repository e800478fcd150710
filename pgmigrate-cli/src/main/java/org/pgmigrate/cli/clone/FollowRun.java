package org.pgmigrate.cli.clone;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.cdc.CutoverResult;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.cdc.SourceUndo;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.files.FileNames;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;

/**
 * {@code clone --follow}: one database online without the service, as pgcopydb's {@code clone --follow}. The
 * engine's {@link OnlineMigration} copies under a replication slot's snapshot, then applies the source's changes
 * while a live line shows latency and counters, until the user asks for the cutover: Enter on a terminal, or the
 * file {@code cutover} created in the work directory (for scripts and services). Then every change up to that
 * moment is applied, sequences are set, and the slot and publication are dropped.
 *
 * <p>Ctrl-C (a {@link Cancellation}) stops following without a cutover: the slot and publication are dropped and
 * the target keeps what was applied. A followed clone is not resumable: a new run starts over.
 */
record FollowRun(Engine engine, PgEndpoint source, PgEndpoint target, CopyOptions copy, boolean dropIfExists,
                 boolean verify, boolean analyze, boolean allowReplicaIdentityFull, Path dir, TableFilter filter,
                 ObjectSkips skips) {

    static final String TRIGGER_FILE = "cutover";
    private static final Duration CUTOVER_TIMEOUT = Duration.ofMinutes(10);

    void execute(PrintWriter out, PrintWriter err, boolean terminal, Cancellation cancel) {
        engine.refuseSameDatabase(source, target);
        Path trigger = dir.resolve(TRIGGER_FILE);
        deleteTrigger(trigger); // a leftover from an earlier run must not cut this one over at once
        Path databaseDir = dir.resolve(FileNames.of(source.database()));
        ReplicationConfig config = ReplicationConfig.builder("clone", source, target, databaseDir.resolve("spool"))
                .allowReplicaIdentityFull(allowReplicaIdentityFull).filter(filter).build();
        DatabaseJob job = new DatabaseJob(source, target, copy, dropIfExists, false, verify, analyze,
                databaseDir.resolve("job"), null, filter, skips);
        try (OnlineMigration migration = new OnlineMigration(engine, job,
                new OnlineReplication(config, new PgConnector()))) {
            ProgressListener listener = terminal ? new LiveProgress(err) : new LogProgress(err);
            DatabaseReport report;
            try {
                report = migration.start(listener, cancel);
            } catch (RuntimeException e) {
                dropReplication(migration, e);
                throw e;
            } finally {
                if (listener instanceof LiveProgress live) {
                    live.close();
                }
            }
            CloneSummary.printDatabase(out, report);
            out.println("Following the changes of " + source.database() + " (slot " + migration.slot().slotName()
                    + "). To cut over, " + (terminal ? "press Enter, or " : "") + "create the file " + trigger
                    + ". Ctrl-C stops without a cutover.");
            out.flush();
            ReplicationView view = new ReplicationView(out, terminal, migration::stats, null);
            view.start();
            try {
                awaitCutoverRequest(migration, trigger, terminal, cancel);
            } catch (RuntimeException e) {
                view.close();
                dropReplication(migration, e);
                throw e;
            }
            view.close();
            out.println("Cutting over: applying every change up to now, then setting sequences...");
            out.flush();
            CutoverResult done = migration.cutover(CUTOVER_TIMEOUT);
            out.printf(Locale.ROOT, "Cutover done in %s: end point %s, applied up to %s, %d sequences set from live"
                    + " source values (%,d changes applied while following: %,d inserts, %,d updates, %,d deletes);"
                    + " slot and publication dropped.%n", CloneSummary.seconds(done.took()), done.endPoint(),
                    done.appliedPoint(), done.sequencesSynchronized(), done.finalStats().appliedChanges(),
                    done.finalStats().cdcInsertCounter(), done.finalStats().cdcUpdateCounter(),
                    done.finalStats().cdcDeleteCounter());
            SourceUndo.Report undo = migration.replication().sourceUndo();
            if (undo != null && undo.eventful()) {
                out.println("On the source: " + undo.describe());
            }
        } finally {
            deleteTrigger(trigger);
        }
        // Cut over: the schema archive and the spool are of no use any more, and hold the source's schema and rows.
        WorkDirectory.removeAfterSuccess(dir, java.util.List.of(source.database()));
    }

    /** Waits for Enter (a terminal) or the trigger file; fails when replication fails; Ctrl-C cancels. */
    private static void awaitCutoverRequest(OnlineMigration migration, Path trigger, boolean terminal,
                                            Cancellation cancel) {
        CountDownLatch enter = new CountDownLatch(1);
        if (terminal) {
            Thread reader = new Thread(() -> {
                try {
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    enter.countDown();
                } catch (IOException e) {
                    // no keyboard after all: the trigger file still works
                }
            }, "pgmigrate-follow-enter");
            reader.setDaemon(true);
            reader.start();
        }
        while (!Files.exists(trigger)) {
            String failure = migration.stats().failure();
            if (failure != null) {
                throw new CliException(ExitCode.FAILED, "Replication failed: " + failure);
            }
            cancel.throwIfCanceled();
            try {
                if (enter.await(200, TimeUnit.MILLISECONDS)) { // polling a file and counters: nothing to wait on
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel.cancel("interrupted");
                cancel.throwIfCanceled();
            }
        }
    }

    private static void dropReplication(OnlineMigration migration, Exception cause) {
        try {
            migration.cancel();
        } catch (EngineException | IllegalStateException e) {
            cause.addSuppressed(e);
        }
    }

    private static void deleteTrigger(Path trigger) {
        try {
            Files.deleteIfExists(trigger);
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "Cannot remove " + trigger + ": " + e.getMessage(), e);
        }
    }
}
