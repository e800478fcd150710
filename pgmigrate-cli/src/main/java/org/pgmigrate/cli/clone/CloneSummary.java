package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pgmigrate.cli.output.Plural;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.TableStats;

/** The table printed when a clone ends: per table rows, bytes, copy and index time; per phase wall time. */
final class CloneSummary {

    private static final int MAX_TABLE_ROWS = 40;

    private CloneSummary() {
    }

    static void print(PrintWriter out, List<DatabaseReport> reports, Duration total) {
        for (DatabaseReport report : reports) {
            printDatabase(out, report);
        }
        out.printf(Locale.ROOT, "%nTotal wall time: %s%n", seconds(total));
        out.flush();
    }

    /**
     * One database's table of tables, phases and verification, without the total. After a resume, the rows are every
     * row of the clone, the earlier runs' included, and a column says which this run copied. Notices are not repeated:
     * the progress display printed each once, as it happened.
     */
    static void printDatabase(PrintWriter out, DatabaseReport report) {
        boolean resumed = report.tables().stream().anyMatch(TableStats::resumed);
        out.printf(Locale.ROOT, "%nDatabase %s -> %s%n", report.sourceDatabase(), report.targetDatabase());
        out.printf(Locale.ROOT, "  %-48s %13s%s %10s %5s %10s %10s%n", "Table", "Rows",
                resumed ? String.format(Locale.ROOT, " %13s", "This run") : "", "Bytes", "Parts", "Copy", "Indexes");
        List<TableStats> tables = report.tables().stream()
                .sorted(Comparator.comparing(TableStats::copyTime).reversed()).toList();
        for (TableStats t : tables.subList(0, Math.min(MAX_TABLE_ROWS, tables.size()))) {
            out.printf(Locale.ROOT, "  %-48s %,13d%s %10s %5d %10s %10s%n", abbreviate(t.table(), 48), t.rows(),
                    resumed ? String.format(Locale.ROOT, " %,13d", t.rowsThisRun()) : "", ByteSize.format(t.bytes()),
                    t.parts(), seconds(t.copyTime()), seconds(t.indexTime()));
        }
        if (tables.size() > MAX_TABLE_ROWS) {
            out.printf(Locale.ROOT, "  ... and %s (the slowest are listed)%n",
                    Plural.of(tables.size() - MAX_TABLE_ROWS, "more table"));
        }
        long thisRun = report.tables().stream().mapToLong(TableStats::rowsThisRun).sum();
        out.printf(Locale.ROOT, "  %-48s %,13d%s %10s%n", "Total (" + Plural.of(report.tables().size(), "table") + ")",
                report.rows(), resumed ? String.format(Locale.ROOT, " %,13d", thisRun) : "",
                ByteSize.format(report.bytes()));
        if (resumed) {
            out.printf(Locale.ROOT, "  Rows: %,d in all: %,d copied by this run, %,d by the earlier, interrupted run(s)%n",
                    report.rows(), thisRun, report.rows() - thisRun);
        }
        out.printf(Locale.ROOT, "  Sequences: %d   Large objects: %d (%s)%n", report.sequences(), report.largeObjects(),
                ByteSize.format(report.largeObjectBytes()));
        out.println("  Phase                    Wall time");
        for (Map.Entry<Phase, Duration> phase : report.phases().entrySet()) {
            out.printf(Locale.ROOT, "  %-24s %9s%n", phase.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    seconds(phase.getValue()));
        }
        if (report.verification() != null) {
            out.printf(Locale.ROOT, "  Verification: %s and %s identical (row counts and hashes)%n",
                    Plural.of(report.verification().tables().size(), "table"), Plural.of(report.sequences(), "sequence"));
        } else {
            out.println("  Verification: skipped (--skip-verify)");
        }
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2fs", d.toNanos() / 1e9);
    }

    private static String abbreviate(String s, int width) {
        return s.length() <= width ? s : "..." + s.substring(s.length() - width + 3);
    }
}
