package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.pgmigrate.cli.output.Plural;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.files.FileNames;
import org.pgmigrate.engine.objects.RoleCopy;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.Printable;
import org.pgmigrate.engine.progress.ProgressListener;

/**
 * One {@code clone}: how it starts ({@link CloneStart}: new, resumed or started over; every target database in the
 * way named at once), roles (if asked), then each database in turn, with checkpoints in the work directory, progress
 * on the terminal or as log lines, the work directory removed once every database is copied and proven, and the
 * summary at the end. Shared by {@code clone} and {@code demo}. Each
 * database's files go in a subdirectory named by {@link FileNames}, never by the database's name as such (a source
 * database may be called {@code ../x} or {@code /tmp/x}).
 *
 * @param databases pairs of source and target database names
 * @param filter    the schemas and tables to migrate, the same in every database
 * @param skips     the kinds of objects left out ({@code --skip-large-objects}, {@code --skip-extensions})
 */
record CloneRun(Engine engine, PgEndpoint source, PgEndpoint target, List<String[]> databases, CopyOptions copy,
                boolean roles, boolean dropIfExists, boolean resume, boolean verify, boolean analyze, Path dir,
                TableFilter filter, ObjectSkips skips) {

    /** A run that leaves out nothing on request. */
    CloneRun(Engine engine, PgEndpoint source, PgEndpoint target, List<String[]> databases, CopyOptions copy,
             boolean roles, boolean dropIfExists, boolean resume, boolean verify, boolean analyze, Path dir,
             TableFilter filter) {
        this(engine, source, target, databases, copy, roles, dropIfExists, resume, verify, analyze, dir, filter,
                ObjectSkips.NONE);
    }

    List<DatabaseReport> execute(PrintWriter out, PrintWriter err, boolean terminal, Cancellation cancel) {
        long started = System.nanoTime();
        List<DatabaseReport> reports = new ArrayList<>();
        // Before anything is written (roles, the journal): no target may be the source database under another name.
        for (String[] pair : databases) {
            engine.refuseSameDatabase(source.withDatabase(pair[0]), target.withDatabase(pair[1]));
        }
        List<String> existing = engine.existingTargetDatabases(target,
                databases.stream().map(pair -> pair[1]).toList());
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(dir)) {
            switch (CloneStart.decide(resume, dropIfExists, checkpoints, databases, existing, dir, target.address())) {
                case NOTHING_TO_RESUME -> err.println("Note: nothing to resume in " + dir + "; starting from the beginning.");
                case RESUME -> err.println("Resuming from " + dir + ".");
                case START_OVER -> {
                    // Only now: the servers were reached and proven apart, and --drop-if-exists asked for it.
                    checkpoints.clear();
                    err.println("Starting over (--drop-if-exists): the checkpoints of the interrupted clone in " + dir
                            + " were discarded.");
                }
                case FRESH -> { }
            }
            if (roles && !checkpoints.isDone("roles")) {
                RoleCopy.Result result = engine.migrateRoles(source, target, cancel);
                err.println("Roles: " + Plural.of(result.statements(), "statement") + " applied.");
                if (!result.skippedRoles().isEmpty()) {
                    err.println("Roles left alone (with every statement naming them): " + result.skippedRoles().stream()
                            .map(RoleCopy.SkippedRole::toString).collect(Collectors.joining("; ")) + ".");
                }
                if (!result.existingRolesChanged().isEmpty()) {
                    err.println("Note: these roles already existed on the target and now have the source's attributes,"
                            + " password, settings and memberships: " + result.existingRolesChanged().stream()
                            .map(Printable::escape).collect(Collectors.joining(", ")) + ".");
                }
                result.rejected().forEach(r -> err.println("Note: pgmigrate did not run role statement " + r));
                result.refused().forEach(r -> err.println("Note: the target refused " + r));
                checkpoints.markDone("roles");
            }
            ProgressListener listener = terminal ? new LiveProgress(err) : new LogProgress(err);
            try {
                for (String[] pair : databases) {
                    DatabaseJob job = new DatabaseJob(source.withDatabase(pair[0]), target.withDatabase(pair[1]), copy,
                            dropIfExists, roles, verify, analyze, dir.resolve(FileNames.of(pair[0])), null, filter,
                            skips);
                    reports.add(engine.migrateDatabase(job, listener, checkpoints, cancel));
                    if (listener instanceof LiveProgress live) {
                        live.finished(pair[0]);
                    }
                }
            } catch (EngineException e) {
                closeDisplay(listener);
                throw e;
            }
            closeDisplay(listener);
        }
        // Done and proven: the checkpoints and schema archives are of no use any more, and hold the source's schema.
        WorkDirectory.removeAfterSuccess(dir, databases.stream().map(pair -> pair[0]).toList());
        CloneSummary.print(out, reports, Duration.ofNanos(System.nanoTime() - started));
        return reports;
    }

    private static void closeDisplay(ProgressListener listener) {
        if (listener instanceof LiveProgress live) {
            live.close();
        }
    }
}
