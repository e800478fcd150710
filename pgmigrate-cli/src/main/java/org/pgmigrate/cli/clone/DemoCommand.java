package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.Callable;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgmigrate demo}: the whole job on a built-in default. Starts two throwaway PostgreSQL servers, loads a sample
 * shop database, migrates it, proves the copy with an independent comparison, prints the summary, and cleans up.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start two throwaway PostgreSQL servers, load a sample database, migrate it, verify it and print the"
                + " summary. Needs the PostgreSQL server binaries (Debian: apt-get install postgresql); nothing is left behind."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rows", defaultValue = "100000", paramLabel = "N",
            description = "Orders in the sample database; order lines are 3 times that (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--pg-version", defaultValue = "15", paramLabel = "MAJOR",
            description = "PostgreSQL major version of both servers (default: ${DEFAULT-VALUE}; the OS's binaries).")
    int version;

    @Option(names = "--keep", description = "Leave the two servers running at the end and print how to reach them.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path base = Files.createTempDirectory("pgmigrate-demo-");
        out.println("pgmigrate demo: two throwaway PostgreSQL " + version + " servers under " + base);
        PgCluster source = null;
        PgCluster target = null;
        try {
            source = start("source", base);
            target = start("target", base);
            out.println("  source " + source + ", target " + target);
            out.println("Loading the sample shop database (" + rows + " orders, " + 3L * rows + " order lines, partitions,"
                    + " TOAST, large objects, every tricky type)...");
            source.createDatabase("shop");
            try (Connection c = source.connect("shop")) {
                SampleDatabase.load(c, rows);
            }
            PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
            PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
            out.println("Migrating shop (offline: one snapshot, parallel COPY, per-table index builds, verification)...");
            out.flush();
            Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(org.pgmigrate.cli.Endpoints.toolSearchPath()));
            CloneRun run = new CloneRun(engine, from, to, List.<String[]>of(new String[] {"shop", "shop"}),
                    CopyOptions.defaults().withJobs(4, 4).withSplitThreshold(8L << 20), false, false, false, true, true,
                    base.resolve("work"));
            List<DatabaseReport> reports = run.execute(out, err, System.console() != null, new Cancellation());
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
                if (target != null) {
                    target.close();
                }
                if (source != null) {
                    source.close();
                }
                deleteQuietly(base);
            }
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
