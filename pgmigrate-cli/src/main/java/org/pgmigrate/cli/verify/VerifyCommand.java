package org.pgmigrate.cli.verify;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ConnectionOptions;
import org.pgmigrate.cli.Endpoints;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.output.Plural;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.verify.TableVerification;
import org.pgmigrate.engine.verify.VerificationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgmigrate verify}: proves two databases hold the same data, for any pair of servers. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare databases on two servers: every table's row count and content hash (computed by both"
                + " servers at once, the source in one snapshot), sequence positions, and the definitions of objects"
                + " by kind and name: tables, columns' types and defaults, indexes, constraints, views, functions,"
                + " triggers, sequences' parameters, types, extensions.",
            "Read-only. Exit code 0 when equal, 1 when anything differs (what differs is named), 2 for invalid input."},
        footer = {"", "Examples:",
            "  Compare the database shop on two servers.",
            "    pgmigrate verify --source postgresql://old/shop \\",
            "        --target postgresql://new/shop",
            "  Compare two databases, hashing a 10%% sample of each table's rows.",
            "    pgmigrate verify --source 'host=old user=postgres' \\",
            "        --target 'host=new user=postgres' --dbs shop,crm --sample 10",
            "  Name up to 10 differing rows of each table whose contents differ.",
            "    pgmigrate verify --source postgresql://old/shop \\",
            "        --target postgresql://new/shop --show-rows 10"})
public final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--dbs", split = ",", paramLabel = "DB",
            description = "Databases to compare (same names on both sides). Default: the database in --source, compared"
                    + " with the one in --target.")
    List<String> dbs;

    @Option(names = "--jobs", defaultValue = "4", paramLabel = "N", description = "Tables compared at once (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--sample", defaultValue = "100", paramLabel = "PERCENT",
            description = "Hash only this share of each table's rows, chosen by key (the same rows on both sides); row"
                    + " counts stay exact. For huge tables (default: ${DEFAULT-VALUE}, every row).")
    int sample;

    @Option(names = "--show-rows", defaultValue = "0", paramLabel = "N",
            description = "For each table whose contents differ, name the keys of up to N rows that differ (missing on"
                    + " the target, only on the target, or changed). Needs a primary key; sorts that table on both"
                    + " servers (default: ${DEFAULT-VALUE}, none).")
    int showRows;

    @Override
    public Integer call() {
        if (sample < 1 || sample > 100) {
            throw CliException.invalidInput("--sample must be 1 to 100 (percent), was " + sample + ".");
        }
        if (showRows < 0) {
            throw CliException.invalidInput("--show-rows must be 0 or more, was " + showRows + ".");
        }
        if (jobs < 1) {
            throw CliException.invalidInput("--jobs must be at least 1, was " + jobs + ".");
        }
        ConnectionOptions.Servers servers = connection.resolve(spec.commandLine().getErr());
        PgEndpoint from = servers.source();
        PgEndpoint to = servers.target();
        List<String[]> pairs = new ArrayList<>();
        if (dbs != null && !dbs.isEmpty()) {
            dbs.forEach(db -> pairs.add(new String[] {db, db}));
        } else if (from.database() != null) {
            pairs.add(new String[] {from.database(), to.database() != null ? to.database() : from.database()});
        } else {
            throw CliException.invalidInput("No database to compare: name one in --source (postgresql://host/db) or use --dbs.");
        }
        Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(Endpoints.toolSearchPath()));
        PrintWriter out = spec.commandLine().getOut();
        boolean allEqual = true;
        for (String[] pair : pairs) {
            VerificationReport report = engine.verifyDatabase(from.withDatabase(pair[0]), to.withDatabase(pair[1]), jobs,
                    sample, showRows, new Cancellation());
            print(out, pair, report, showRows > 0);
            allEqual &= report.equal();
        }
        out.flush();
        if (!allEqual) {
            spec.commandLine().getErr().println("ERROR: the databases differ (see the lines marked DIFFERS above).");
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }

    private static void print(PrintWriter out, String[] pair, VerificationReport report, boolean rowsAsked) {
        out.printf(Locale.ROOT, "Database %s -> %s%s%n", pair[0], pair[1],
                report.samplePercent() < 100 ? " (hashes over a " + report.samplePercent() + "% sample; counts exact)" : "");
        out.printf(Locale.ROOT, "  %-50s %12s %12s  %s%n", "Table", "Source rows", "Target rows", "Result");
        for (TableVerification t : report.tables()) {
            out.printf(Locale.ROOT, "  %-50s %12d %12d  %s%n", t.table(), t.source().rows(), t.target().rows(),
                    t.equal() ? "equal" : "DIFFERS");
            t.differingRows().forEach(row -> out.println("      row " + row));
            if (rowsAsked && !t.equal() && t.differingRows().isEmpty()) {
                out.println("      (no primary key or NOT NULL unique key: its rows cannot be named)");
            }
        }
        for (String s : report.sequenceMismatches()) {
            out.println("  DIFFERS sequence " + s);
        }
        for (String o : report.objectMismatches()) {
            out.println("  DIFFERS " + o);
        }
        for (String w : report.warnings()) {
            out.println("  NOTE " + w);
        }
        out.println("  " + totals(report));
    }

    /**
     * The totals line. Tables are counted as tables: a sequence or an object count that differs is counted on its own,
     * so that "1 differ" never stands next to a list of tables that are all equal.
     */
    static String totals(VerificationReport report) {
        StringBuilder line = new StringBuilder(report.equal() ? "EQUAL: " : "NOT EQUAL: ")
                .append(Plural.of(report.tables().size(), "table")).append(", ")
                .append(report.mismatches().size()).append(report.mismatches().size() == 1 ? " differs" : " differ");
        if (!report.sequenceMismatches().isEmpty()) {
            line.append("; ").append(Plural.of(report.sequenceMismatches().size(), "sequence"))
                    .append(report.sequenceMismatches().size() == 1 ? " differs" : " differ");
        }
        if (!report.objectMismatches().isEmpty()) {
            line.append("; ").append(Plural.of(report.objectMismatches().size(), "object"))
                    .append(report.objectMismatches().size() == 1 ? " differs" : " differ");
        }
        return line.toString();
    }
}
