package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.Endpoints;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.schema.PgTools;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgmigrate demo}: the whole job on a built-in default. Starts two throwaway PostgreSQL servers, loads a sample
 * shop database, and migrates it online under a write load ({@link OnlineDemo}), or offline with {@code --offline};
 * proves the result with an independent comparison, prints the summary, and cleans up.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start two throwaway PostgreSQL servers, load a sample database and migrate it online while a write"
                + " load runs on the source: live latency and change counters, then the writes stop, the latency falls"
                + " to 0, cutover, verification and the summary. Needs the PostgreSQL server binaries (Debian: apt-get"
                + " install postgresql); nothing is left behind."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rows", defaultValue = "50000", paramLabel = "N",
            description = "Orders in the sample database; order lines are 3 times that (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--pg-version", defaultValue = "15", paramLabel = "MAJOR",
            description = "PostgreSQL major version of both servers (default: ${DEFAULT-VALUE}; the OS's binaries).")
    int version;

    @Option(names = "--offline", description = "The offline demo: one snapshot copy, no write load, no change capture.")
    boolean offline;

    @Option(names = "--writers", defaultValue = "4", paramLabel = "N",
            description = "Sessions writing to the source during the online demo (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--tps", defaultValue = "200", paramLabel = "N",
            description = "Transactions per second of the write load, all sessions together (default: ${DEFAULT-VALUE}).")
    int tps;

    @Option(names = "--keep", description = "Leave the two servers running at the end and print how to reach them.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        validate();
        long started = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path base = Files.createTempDirectory("pgmigrate-demo-");
        out.println("pgmigrate demo (" + (offline ? "offline" : "online") + "): two throwaway PostgreSQL " + version
                + " servers under " + base);
        out.flush();
        PgCluster[] clusters = new PgCluster[2];
        try {
            startBoth(base, clusters);
            PgCluster source = clusters[0];
            PgCluster target = clusters[1];
            out.println("  source " + source + ", target " + target);
            out.println("Loading the sample shop database (" + rows + " orders, " + 3L * rows + " order lines, partitions,"
                    + " TOAST, large objects, every tricky type)...");
            out.flush();
            source.createDatabase("shop");
            try (Connection c = source.connect("shop")) {
                SampleDatabase.load(c, rows);
            }
            boolean terminal = System.console() != null;
            if (offline) {
                migrateOffline(out, err, terminal, source, target, base);
            } else {
                new OnlineDemo(out, err, terminal, source, target,
                        new OnlineDemo.DemoLoadOptions(writers, tps, rows), base.resolve("work")).run(started);
            }
            if (keep) {
                source.detach();
                target.detach();
                out.println("The servers keep running:");
                out.println("  source: psql '" + source.uri("shop") + "'");
                out.println("  target: psql '" + target.uri("shop") + "'");
                out.println("  stop:   " + stopCommand(source) + "; " + stopCommand(target) + "; rm -rf " + base);
            }
            return ExitCode.OK;
        } finally {
            if (!keep) {
                for (int i = clusters.length - 1; i >= 0; i--) {
                    if (clusters[i] != null) {
                        clusters[i].close();
                    }
                }
                deleteQuietly(base);
            }
        }
    }

    private void validate() {
        if (rows < 100) {
            throw CliException.invalidInput("Invalid --rows " + rows + ": use at least 100.");
        }
        if (writers < 1 || writers > 32) {
            throw CliException.invalidInput("Invalid --writers " + writers + ": use 1 to 32 sessions.");
        }
        if (tps < 1 || tps > 100_000) {
            throw CliException.invalidInput("Invalid --tps " + tps + ": use 1 to 100000 transactions per second.");
        }
        requireTools();
    }

    /**
     * The migration needs pg_dump and pg_restore at least as new as the servers: said before two servers start and
     * the sample data loads (a minute of waiting for nothing otherwise).
     */
    private void requireTools() {
        List<PgTools> found = PgTools.discover(Endpoints.toolSearchPath());
        if (found.stream().noneMatch(t -> t.major() >= version)) {
            throw CliException.invalidInput("The demo's PostgreSQL " + version + " servers need pg_dump and pg_restore "
                    + version + " or newer; " + (found.isEmpty() ? "none was found"
                    : "found only " + found.stream().map(t -> t.version() + " (" + t.pgDump() + ")").toList())
                    + ". Install postgresql-client-" + version + " (for example from apt.postgresql.org), or run the"
                    + " demo with --pg-version " + found.stream().mapToInt(PgTools::major).max().orElse(15) + ".");
        }
    }

    private void migrateOffline(PrintWriter out, PrintWriter err, boolean terminal, PgCluster source, PgCluster target,
                                Path base) throws Exception {
        PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
        PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
        out.println("Migrating shop (offline: one snapshot, parallel COPY, per-table index builds, verification)...");
        out.flush();
        Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(Endpoints.toolSearchPath()));
        CloneRun run = new CloneRun(engine, from, to, List.<String[]>of(new String[] {"shop", "shop"}),
                CopyOptions.defaults().withJobs(4, 4).withSplitThreshold(8L << 20), false, false, false, true, true,
                base.resolve("work"), org.pgmigrate.engine.catalog.TableFilter.NONE);
        List<DatabaseReport> reports = run.execute(out, err, terminal, new Cancellation());
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
            List<String> differences = DatabaseComparer.differences(s, t);
            if (!differences.isEmpty()) {
                throw new CliException(ExitCode.FAILED, "The independent comparison found differences:\n  "
                        + String.join("\n  ", differences));
            }
        }
        out.println();
        out.println("Proven: the target equals the source. The engine compared " + reports.get(0).verification().tables().size()
                + " tables (row counts and hashes) and sequences; an independent comparer re-checked every table,"
                + " sequence, index, constraint, view, function, trigger, type, extension, comment and large object.");
    }

    /** Starts the source here and the target on another thread at the same time: initdb is most of the wait. */
    private void startBoth(Path base, PgCluster[] clusters) throws InterruptedException {
        ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pgmigrate-demo-start");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<PgCluster> target = starter.submit(() -> start("target", base));
            try {
                clusters[0] = start("source", base);
            } finally {
                try {
                    clusters[1] = target.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            starter.shutdown();
        }
    }

    private static String stopCommand(PgCluster cluster) {
        return (System.getProperty("user.name").equals("root") ? "runuser -u postgres -- " : "")
                + "/usr/lib/postgresql/" + cluster.majorVersion() + "/bin/pg_ctl -D " + cluster.dataDir() + " stop";
    }

    private PgCluster start(String name, Path base) {
        try {
            PgCluster.Builder builder = PgCluster.builder().version(version).name(name).baseDir(base);
            return keep ? builder.keepFiles().start() : builder.start();
        } catch (IllegalStateException e) {
            throw new CliException(ExitCode.INVALID_INPUT, "Cannot start a PostgreSQL " + version + " server for the demo: "
                    + e.getMessage() + "\nInstall the server (Debian/Ubuntu: apt-get install postgresql-" + version + ").");
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temp folder; the OS cleans it eventually
        }
    }
}
