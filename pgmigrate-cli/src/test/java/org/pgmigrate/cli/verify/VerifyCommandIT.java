package org.pgmigrate.cli.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.Main;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;
import org.pgmigrate.testkit.data.SampleDatabase;

@Timeout(300)
class VerifyCommandIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void cloneTheSampleDatabase() throws Exception {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("shop");
        try (Connection c = source.connect("shop")) {
            SampleDatabase.load(c, 2000);
        }
        Path dir = Path.of("target", "verify-it-clone");
        for (String db : new String[] {"equal", "tampered", "missing_index", "moved_sequence"}) {
            Result clone = run("clone", "--source", source.uri("shop"), "--target", target.uri(db), "--dir", dir.resolve(db).toString());
            assertThat(clone.exitCode()).as(clone.err()).isZero();
        }
        target.execute("tampered", "DELETE FROM shop.order_lines WHERE order_id IN (SELECT order_id FROM shop.order_lines LIMIT 1)");
        target.execute("missing_index", "DROP INDEX shop.orders_customer");
        target.execute("moved_sequence", "SELECT pg_catalog.setval('shop.invoice_numbers', 5000)");
    }


    @Test
    void equalDatabasesExitZero() {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri("equal"));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("shop.order_lines").contains("EQUAL: 14 tables, 0 differ");
    }

    @Test
    void aThreeRowDeleteOnTheTargetFailsAndNamesTheTable() {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri("tampered"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).containsPattern("shop\\.order_lines\\s+6000\\s+5997\\s+DIFFERS").contains("NOT EQUAL: 14 tables, 1 differs");
        assertThat(r.err()).contains("the databases differ");
    }

    @Test
    void aSampleStillCatchesTheMissingRowsThroughExactCounts() {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri("tampered"), "--sample", "10");
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).contains("10% sample").containsPattern("shop\\.order_lines\\s+6000\\s+5997\\s+DIFFERS");
        Result equal = run("verify", "--source", source.uri("shop"), "--target", target.uri("equal"), "--sample", "10");
        assertThat(equal.exitCode()).as(equal.out()).isEqualTo(ExitCode.OK);
    }

    @Test
    void aMissingIndexIsADifferenceEvenWithEveryRowPresent() {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri("missing_index"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).contains("DIFFERS indexes:")
                .contains("NOT EQUAL: 14 tables, 0 differ; object counts differ for 1 kind of object");
    }

    /** The totals line counts tables as tables: every table is equal, the sequence is what differs. */
    @Test
    void aSequenceThatDiffersIsCountedAsASequenceNotAsATable() {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri("moved_sequence"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).contains("DIFFERS sequence \"shop\".\"invoice_numbers\"").doesNotContain(" DIFFERS\n")
                .contains("NOT EQUAL: 14 tables, 0 differ; 1 sequence differs");
    }

    @Test
    void badInputIsRejectedBeforeConnecting() {
        assertThat(run("verify", "--source", source.uri("shop"), "--target", target.uri("equal"), "--sample", "0").err())
                .contains("--sample must be 1 to 100");
        Result noDb = run("verify", "--source", "host=127.0.0.1", "--target", "host=127.0.0.1");
        assertThat(noDb.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(noDb.err()).contains("No database to compare");
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
