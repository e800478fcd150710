package org.pgmigrate.cli.clone;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ConnectionOptions;
import org.pgmigrate.cli.Endpoints;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.copy.CopyFormat;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgmigrate clone}: a one-shot offline copy of databases between two servers, without the service. */
@Command(name = "clone", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Copy one or more databases from a source PostgreSQL server to a target server, consistently (one snapshot),"
                    + " in parallel, and prove the copy (row counts and hashes of every table).",
            "",
            "With a database in --source and no --dbs, that database is cloned into the target's named database (or"
                    + " the same name). With --dbs or --all-databases, the same names are used on the target."},
        footer = {"", "Examples:",
            "  Clone the database shop (passwords from PGPASSWORD or ~/.pgpass).",
            "    pgmigrate clone --source postgresql://app@old:5432/shop \\",
            "        --target postgresql://app@new:5432/shop",
            "  Clone every database, and the roles.",
            "    pgmigrate clone --source 'host=old user=postgres' \\",
            "        --target 'host=new user=postgres' --all-databases --roles",
            "  Keep the work files in a directory of your own; after an interruption, run",
            "  the same command with --resume.",
            "    pgmigrate clone --source postgresql://app@old:5432/shop \\",
            "        --target postgresql://app@new:5432/shop --dir /var/tmp/shop",
            "    pgmigrate clone --source postgresql://app@old:5432/shop \\",
            "        --target postgresql://app@new:5432/shop --dir /var/tmp/shop --resume",
            "  Leave a schema out, and copy a table's definition without its rows.",
            "    pgmigrate clone --source postgresql://app@old:5432/shop \\",
            "        --target postgresql://app@new:5432/shop \\",
            "        --exclude-schema staging --exclude-table-data public.audit_log",
            "  Filters in pgcopydb's file format.",
            "    pgmigrate clone --source postgresql://app@old:5432/shop \\",
            "        --target postgresql://app@new:5432/shop --filters filters.ini",
            "",
            "A clone that succeeds removes its work directory; one that fails or is interrupted keeps it (it says where)"
                    + " and continues from it with --resume. Run without --resume over an interrupted clone's"
                    + " checkpoints, it stops and says so: add --resume, or --drop-if-exists to start over.",
            "",
            "Exit codes: 0 copied and verified, 1 failed or mismatch, 2 invalid input (nothing written),"
                    + " 130 interrupted with Ctrl-C (resumable)."})
public final class CloneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @ArgGroup(exclusive = true)
    Selection selection;

    static final class Selection {
        @Option(names = "--dbs", split = ",", paramLabel = "DB", description = "Databases to clone, comma-separated.")
        List<String> dbs;

        @Option(names = "--all-databases", description = "Every source database that accepts connections, except"
                + " templates and postgres.")
        boolean all;
    }

    @Option(names = "--table-jobs", defaultValue = "4", paramLabel = "N", description = "Parallel COPY sessions (default: ${DEFAULT-VALUE}).")
    int tableJobs;

    // Two, as `serve` has: each build may also start the server's parallel maintenance workers, and builds overlap
    // the copy. On a 2-vCPU bench, 4 jobs cost 10 CPU-s more and 6 s more wall time than 2 (bench/RESULTS.md).
    @Option(names = "--index-jobs", defaultValue = "2", paramLabel = "N", description = "Parallel index builds, each of"
            + " which may use the server's parallel maintenance workers (default: ${DEFAULT-VALUE}).")
    int indexJobs;

    @Option(names = "--split-tables-larger-than", defaultValue = "1GiB", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Copy tables above this size in parallel parts, by integer key or (source 14+) ctid ranges;"
                    + " 0 never splits (default: ${DEFAULT-VALUE}).")
    long splitThreshold;

    @Option(names = "--copy-format", defaultValue = "auto", paramLabel = "auto|text|binary",
            description = "COPY format: auto uses binary between same-major servers for built-in types, text elsewhere"
                    + " (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--roles", description = "Copy roles first (pg_dumpall --roles-only, read statement by statement) and"
            + " keep owners and grants. Never copied or altered: superusers, predefined roles, the target user, and"
            + " roles already privileged on the target. Without it, the target user owns everything.")
    boolean roles;

    @Option(names = "--drop-if-exists", description = "Drop and recreate a target database that already exists. Its contents are"
            + " lost. Over an interrupted clone's checkpoints (without --resume): start that clone over.")
    boolean dropIfExists;

    @Option(names = "--resume", description = "Continue an interrupted or failed clone from the checkpoints in --dir:"
            + " finished parts and indexes are skipped. Consistent only if the source did not change in between.")
    boolean resume;

    @Option(names = "--dir", paramLabel = "PATH", description = "Work directory for checkpoints and the schema archive,"
            + " made private (mode 0700); new, empty or an earlier clone's (default: ~/.pgmigrate/clone/<hash of source"
            + " and target>).")
    Path dir;

    @Mixin
    TableFilterOptions filters;

    @Option(names = "--follow", description = "Online: after the copy, apply the source's changes (logical"
            + " replication, pgoutput) until you cut over: press Enter, or create the file 'cutover' in --dir. One"
            + " database; the source needs wal_level = logical. Ctrl-C stops without a cutover and drops the slot.")
    boolean follow;

    @Option(names = "--allow-replica-identity-full", description = "With --follow: set REPLICA IDENTITY FULL on"
            + " source tables without a primary key or usable unique index, so their UPDATEs and DELETEs can be"
            + " applied (restored when the clone ends).")
    boolean allowReplicaIdentityFull;

    @Option(names = "--skip-verify", description = "Do not compare row counts and hashes at the end.")
    boolean skipVerify;

    @Option(names = "--skip-analyze", description = "Do not VACUUM (ANALYZE) tables after loading them.")
    boolean skipAnalyze;

    @Option(names = "--skip-large-objects", description = "Do not copy large objects (blobs): none is created on the"
            + " target, and verification does not compare them.")
    boolean skipLargeObjects;

    @Option(names = "--skip-extensions", description = "Do not restore extensions (CREATE EXTENSION, COMMENT ON"
            + " EXTENSION), nor require them on the target in verification. Objects that use a skipped extension"
            + " fail the schema restore.")
    boolean skipExtensions;

    @Override
    public Integer call() {
        TableFilter filter = filters.filter(); // a bad name or filters file stops before any server is reached
        ConnectionOptions.Servers servers = connection.resolve(spec.commandLine().getErr());
        PgEndpoint sourceEndpoint = servers.source();
        PgEndpoint targetEndpoint = servers.target();
        CopyOptions copy = copyOptions();
        Path work = dir != null ? dir : defaultDir(sourceEndpoint, targetEndpoint);
        boolean existed = Files.isDirectory(work);
        WorkDirectory.prepare(work);
        try {
            Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(Endpoints.toolSearchPath()));
            List<String[]> databases = databases(engine, sourceEndpoint, targetEndpoint);
            if (follow) {
                return follow(engine, sourceEndpoint, targetEndpoint, databases, copy, work, filter);
            }
            if (allowReplicaIdentityFull) {
                throw CliException.invalidInput("--allow-replica-identity-full goes with --follow (an offline clone"
                        + " changes nothing on the source).");
            }
            CloneRun run = new CloneRun(engine, sourceEndpoint, targetEndpoint, databases, copy, roles, dropIfExists,
                    resume, !skipVerify, !skipAnalyze, work, filter, skips());
            return runInterruptibly(run, work);
        } finally {
            if (!existed) {
                WorkDirectory.removeIfUnused(work); // a run refused before it wrote anything leaves no empty folder
            }
        }
    }

    private Integer follow(Engine engine, PgEndpoint source, PgEndpoint target, List<String[]> databases,
                           CopyOptions copy, Path work, TableFilter filter) {
        if (databases.size() != 1) {
            throw CliException.invalidInput("--follow clones one database: name it in --source (or --dbs with one"
                    + " name); run one clone --follow per database.");
        }
        if (resume || roles) {
            throw CliException.invalidInput((resume ? "--resume" : "--roles") + " does not go with --follow: a"
                    + " followed clone starts over (it holds a replication slot only while it runs)"
                    + (roles ? "; copy the roles first with an offline clone --roles, or pg_dumpall --roles-only" : "")
                    + ".");
        }
        String[] pair = databases.get(0);
        FollowRun run = new FollowRun(engine, source.withDatabase(pair[0]), target.withDatabase(pair[1]), copy,
                dropIfExists, !skipVerify, !skipAnalyze, allowReplicaIdentityFull, work, filter, skips());
        return runInterruptibly((out, err, terminal, cancel) -> run.execute(out, err, terminal, cancel), work, true);
    }

    /** What runs under the Ctrl-C hook: an offline clone or a followed one. */
    private interface Run {
        void execute(java.io.PrintWriter out, java.io.PrintWriter err, boolean terminal, Cancellation cancel);
    }

    private Integer runInterruptibly(CloneRun run, Path work) {
        return runInterruptibly(run::execute, work, false);
    }

    private Integer runInterruptibly(Run run, Path work, boolean following) {
        Cancellation cancel = new Cancellation();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancel.cancel("interrupted (Ctrl-C)");
            try {
                // Let the engine cancel its statements and close its sessions before the JVM goes.
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pgmigrate-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run.execute(spec.commandLine().getOut(), spec.commandLine().getErr(), System.console() != null, cancel);
            return ExitCode.OK;
        } catch (EngineException e) {
            if (e.error() == EngineError.WORK_FILES_FAILED) {
                throw new CliException(ExitCode.FAILED, e.getMessage() + " Free space there or fix its permissions."
                        + kept(work), e);
            }
            if (e.error() == EngineError.TARGET_DATABASE_EXISTS) {
                // The engine names the database; what to do about it is said in clone's own terms.
                throw new CliException(ExitCode.INVALID_INPUT, e.getMessage() + " Drop it, choose another target"
                        + " database, or add --drop-if-exists to drop and recreate it (its contents are lost)."
                        + kept(work), e);
            }
            if (e.error() != EngineError.CANCELED) {
                throw new CliException(e.error().userError() ? ExitCode.INVALID_INPUT : ExitCode.FAILED,
                        e.getMessage() + kept(work), e);
            }
            // Said here, before the shutdown hook is released: after a Ctrl-C the JVM halts once the hook returns.
            spec.commandLine().getErr().println(following ? "Interrupted: stopped following without a cutover; the"
                    + " replication slot and publication were dropped and the target keeps what was applied. Run the"
                    + " clone again (with --drop-if-exists) to start over."
                    : "Interrupted. Finished tables and indexes are checkpointed in " + work
                    + "; continue with the same command plus --resume.");
            spec.commandLine().getErr().flush();
            return ExitCode.INTERRUPTED;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for 'finished', which is now counted down
            }
        }
    }

    private List<String[]> databases(Engine engine, PgEndpoint sourceEndpoint, PgEndpoint targetEndpoint) {
        List<String[]> pairs = new ArrayList<>();
        if (selection != null && selection.all) {
            for (String db : engine.listDatabases(sourceEndpoint)) {
                pairs.add(new String[] {db, db});
            }
            if (pairs.isEmpty()) {
                throw CliException.invalidInput("The source has no user database (besides postgres and templates). Name"
                        + " databases with --dbs.");
            }
        } else if (selection != null && selection.dbs != null) {
            for (String db : selection.dbs) {
                if (db.isBlank() || db.equals("template0") || db.equals("template1")) {
                    throw CliException.invalidInput("Invalid database '" + db + "' in --dbs: give user database names.");
                }
                pairs.add(new String[] {db, db});
            }
        } else {
            if (sourceEndpoint.database() == null) {
                throw CliException.invalidInput("No database to clone: name one in --source (postgresql://host/db),"
                        + " or use --dbs a,b or --all-databases.");
            }
            String targetDb = targetEndpoint.database() != null ? targetEndpoint.database() : sourceEndpoint.database();
            pairs.add(new String[] {sourceEndpoint.database(), targetDb});
        }
        return pairs;
    }

    /** What the --skip-* flags leave out, each named by its flag in the engine's messages. */
    private ObjectSkips skips() {
        return ObjectSkips.NONE.withLargeObjects(skipLargeObjects ? "--skip-large-objects" : null)
                .withExtensions(skipExtensions ? "--skip-extensions" : null);
    }

    private CopyOptions copyOptions() {
        CopyFormat copyFormat;
        try {
            copyFormat = CopyFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw CliException.invalidInput("Invalid --copy-format '" + format + "': use auto, text or binary.");
        }
        try {
            return new CopyOptions(tableJobs, indexJobs, splitThreshold, 64, copyFormat, "512MB");
        } catch (IllegalArgumentException e) {
            throw CliException.invalidInput(e.getMessage());
        }
    }

    /** Where a failed run's checkpoints are, and how to continue; empty when it recorded none. */
    private static String kept(Path work) {
        return WorkDirectory.hasCheckpoints(work) ? "\nThe checkpoints of this clone are kept in " + work
                + ": continue with the same command plus --resume." : "";
    }

    private static Path defaultDir(PgEndpoint s, PgEndpoint t) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((s.redacted() + "|" + t.redacted()).getBytes(StandardCharsets.UTF_8));
            return Path.of(System.getProperty("user.home"), ".pgmigrate", "clone", HexFormat.of().formatHex(digest, 0, 6));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
