package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.cli.Endpoints;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.Main;
import org.pgmigrate.engine.schema.PgTools;

/** {@code pgmigrate demo} end to end, as a user runs it: its own servers, sample data, load, migration and proof. */
@Timeout(300)
class DemoCommandIT {

    record Result(int exitCode, String out, String err) {
    }

    @Test
    void onlineDemoAppliesChangesUnderALoadCutsOverAndProvesTheTarget() {
        Result r = run("demo", "--rows", "2000", "--tps", "100");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("pgmigrate demo (online)").contains("REPLICA IDENTITY FULL")
                .contains("Caught up: latency 0s").contains("Database shop -> shop");
        assertThat(number(r.out(), "Changes captured \\(incomingChanges\\) +([0-9,]+)")).isPositive();
        long applied = number(r.out(), "Changes applied \\(appliedChanges\\) +([0-9,]+):");
        assertThat(applied).isEqualTo(number(r.out(), "Changes captured \\(incomingChanges\\) +([0-9,]+)"));
        assertThat(number(r.out(), "cdcInsertCounter ([0-9,]+)")).isPositive();
        assertThat(number(r.out(), "cdcUpdateCounter ([0-9,]+)")).isPositive();
        assertThat(number(r.out(), "cdcDeleteCounter ([0-9,]+)")).isPositive();
        assertThat(r.out()).containsPattern("Cutover time +[0-9.]+s \\(end point [0-9A-F]+/[0-9A-F]+, applied up to")
                .contains("0s at cutover")
                .containsPattern("Replication slots left on source +0\n")
                .contains("On the source: The replication slot and publication on the source were dropped")
                .contains("the replica identity pgmigrate had set to FULL was restored on 1 table:"
                        + " shop.audit_log (DEFAULT)")
                .contains("Proven after cutover: the engine compared 14 tables")
                .containsPattern("large object: identical\\.");
        // The live view printed counters while the load ran, and the load stopped before cutover.
        assertThat(r.out()).contains("writing").contains("writes stopped");
    }

    @Test
    void offlineDemoClonesAndProvesTheCopy() {
        Result r = run("demo", "--offline", "--rows", "1000");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("pgmigrate demo (offline)")
                .contains("Verification: 14 tables and 4 sequences identical")
                .contains("Proven: the target equals the source.")
                .doesNotContain("Change data capture");
    }

    @Test
    void anImpossibleLoadIsRefusedBeforeAnyServerStarts() {
        Result r = run("demo", "--writers", "0");

        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("Invalid --writers 0: use 1 to 32 sessions.");
        assertThat(r.out()).doesNotContain("throwaway");
    }

    @Test
    void aVersionWithoutItsPgDumpIsRefusedBeforeAnyServerStarts() {
        // The newest major this machine has no pg_dump for (CI installs 15 only).
        int newest = PgTools.discover(Endpoints.toolSearchPath()).stream().mapToInt(PgTools::major).max().orElse(0);
        assumeTrue(newest < 17, "pg_dump 17 is installed: every demo version has its tools here");
        int version = Math.max(16, newest + 1);

        Result r = run("demo", "--pg-version", Integer.toString(version), "--offline");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("The demo's PostgreSQL " + version + " servers need pg_dump and pg_restore "
                + version + " or newer").contains("Install postgresql-client-" + version).doesNotContain("\tat ");
        assertThat(r.out()).as("nothing started, nothing loaded").doesNotContain("throwaway").doesNotContain("Loading");
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in:%n%s", regex, text).isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
