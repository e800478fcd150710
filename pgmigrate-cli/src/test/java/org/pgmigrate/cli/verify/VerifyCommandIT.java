package org.pgmigrate.cli.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
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
        Result clone = run("clone", "--source", source.uri("shop"), "--target", target.uri("equal"), "--dir", dir.resolve("equal").toString());
        assertThat(clone.exitCode()).as(clone.err()).isZero();
        // Copies of the equal clone, each changed in one way (a template copy costs no clone).
        for (String db : new String[] {"tampered", "missing_index", "moved_sequence"}) {
            target.execute("postgres", "CREATE DATABASE " + db + " TEMPLATE equal");
        }
        target.execute("tampered", "DELETE FROM shop.order_lines WHERE order_id IN (SELECT order_id FROM shop.order_lines LIMIT 1)");
        target.execute("missing_index", "DROP INDEX shop.orders_customer");
        DIFFERENT_BY.forEach((db, change) -> {
            target.execute("postgres", "CREATE DATABASE " + db + " TEMPLATE equal");
            target.execute(db, change);
        });
        target.execute("moved_sequence", "SELECT pg_catalog.setval('shop.invoice_numbers', 5000)");
    }

    /** Target databases that differ from the source by one definition each. */
    static final Map<String, String> DIFFERENT_BY = Map.of(
            "index_column", "DROP INDEX shop.orders_customer;"
                    + " CREATE INDEX orders_customer ON shop.orders (customer_id, placed_at)",
            "check_constraint", "ALTER TABLE shop.order_lines DROP CONSTRAINT order_lines_qty_check,"
                    + " ADD CONSTRAINT order_lines_qty_check CHECK (qty >= 0)",
            "view_body", "CREATE OR REPLACE VIEW shop.paid_orders AS SELECT id, customer_id, total FROM shop.orders"
                    + " WHERE status = 'shipped'",
            "function_body", "CREATE OR REPLACE FUNCTION shop.audit() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                    + "BEGIN\n    RETURN NEW;\nEND $$",
            "sequence_increment", "ALTER SEQUENCE shop.invoice_numbers INCREMENT 5",
            "column_default", "ALTER TABLE shop.orders ALTER COLUMN status SET DEFAULT 'paid'",
            "column_type", "ALTER TABLE shop.staff ALTER COLUMN warehouse_id TYPE bigint",
            "trigger_events", "DROP TRIGGER orders_audit ON shop.orders; CREATE TRIGGER orders_audit AFTER INSERT"
                    + " ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.audit()",
            "rows_changed", "DELETE FROM shop.order_lines WHERE order_id = 7;"
                    + " UPDATE shop.orders SET note = 'changed' WHERE id = 42;"
                    + " INSERT INTO shop.empty_table VALUES (5, 'new')");


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
        assertThat(r.out()).contains("  DIFFERS missing on the target: index shop.orders_customer (CREATE INDEX"
                + " orders_customer ON shop.orders USING btree (customer_id))\n")
                .contains("NOT EQUAL: 14 tables, 0 differ; 1 object differs");
    }

    @Test
    void equalDatabasesHaveNoDifferenceInAnyDefinition() {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri("equal"));
        assertThat(r.out()).doesNotContain("DIFFERS").doesNotContain("NOTE");
    }

    @Test
    void aDifferentIndexColumnIsNamedWithBothDefinitions() {
        assertDiffersBy("index_column", "DIFFERS index shop.orders_customer: source CREATE INDEX orders_customer ON"
                + " shop.orders USING btree (customer_id), target CREATE INDEX orders_customer ON shop.orders USING btree"
                + " (customer_id, placed_at)\n");
    }

    @Test
    void aDifferentConstraintIsNamedWithBothDefinitions() {
        assertDiffersBy("check_constraint", "DIFFERS constraint shop.order_lines.order_lines_qty_check: source CHECK"
                + " ((qty > 0)), target CHECK ((qty >= 0))\n");
    }

    @Test
    void aDifferentViewBodyIsNamedAtItsFirstDifferingLine() {
        String out = assertDiffersBy("view_body", "DIFFERS query of view shop.paid_orders: they differ from line 5 on");
        assertThat(out).contains("source 'WHERE (orders.status = 'paid'::shop.order_status);'")
                .contains("target 'WHERE (orders.status = 'shipped'::shop.order_status);'");
    }

    @Test
    void aDifferentFunctionBodyIsNamed() {
        assertDiffersBy("function_body", "DIFFERS body of function shop.audit(): they differ from line 3 on (5 lines"
                + " on the source, 4 on the target): source 'INSERT INTO shop.audit_log VALUES (now(), current_user,"
                + " TG_OP || ' ' || TG_TABLE_NAME || ' ' || NEW.id);', target 'RETURN NEW;'\n");
    }

    @Test
    void aDifferentSequenceIncrementIsNamed() {
        assertDiffersBy("sequence_increment", "DIFFERS sequence shop.invoice_numbers: source as bigint, increment 7,"
                + " minvalue 1, maxvalue 9223372036854775807, start 1000, cache 1, no cycle, target as bigint,"
                + " increment 5, minvalue 1, maxvalue 9223372036854775807, start 1000, cache 1, no cycle\n");
    }

    @Test
    void aDifferentColumnDefaultIsNamed() {
        assertDiffersBy("column_default", "DIFFERS default of column shop.orders.status: source"
                + " 'new'::shop.order_status, target 'paid'::shop.order_status\n");
    }

    @Test
    void aDifferentColumnTypeIsNamed() {
        assertDiffersBy("column_type", "DIFFERS column shop.staff.warehouse_id: source integer NOT NULL, target bigint"
                + " NOT NULL\n");
    }

    @Test
    void aDifferentTriggerIsNamedWithBothDefinitions() {
        assertDiffersBy("trigger_events", "DIFFERS definition of trigger shop.orders.orders_audit: source CREATE TRIGGER"
                + " orders_audit AFTER INSERT OR UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.audit(),"
                + " target CREATE TRIGGER orders_audit AFTER INSERT ON shop.orders FOR EACH ROW EXECUTE FUNCTION"
                + " shop.audit()\n");
    }

    @Test
    void showRowsNamesTheKeysOfTheRowsThatDiffer() {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri("rows_changed"), "--show-rows", "10");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).containsPattern("shop\\.order_lines\\s+6000\\s+5997\\s+DIFFERS\n"
                        + "      row order_id=7, line=1 \\(missing on the target\\)\n"
                        + "      row order_id=7, line=2 \\(missing on the target\\)\n"
                        + "      row order_id=7, line=3 \\(missing on the target\\)\n")
                .containsPattern("shop\\.orders\\s+2000\\s+2000\\s+DIFFERS\n      row id=42 \\(differs\\)\n")
                .containsPattern("shop\\.empty_table\\s+0\\s+1\\s+DIFFERS\n      row id=5 \\(only on the target\\)\n")
                // the UPDATE fired the audit trigger on the target: a table without a key
                .containsPattern("shop\\.audit_log\\s+2200\\s+2201\\s+DIFFERS\n      \\(no primary key or NOT NULL unique key");
        assertThat(r.out().lines().filter(l -> l.startsWith("      row "))).hasSize(5);

        Result two = run("verify", "--source", source.uri("shop"), "--target", target.uri("rows_changed"), "--show-rows", "2");
        assertThat(two.out()).contains("row order_id=7, line=2 (missing on the target)")
                .doesNotContain("row order_id=7, line=3");
        Result none = run("verify", "--source", source.uri("shop"), "--target", target.uri("rows_changed"));
        assertThat(none.out()).doesNotContain("      row ").doesNotContain("no primary key");
    }

    private static String assertDiffersBy(String db, String expected) {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri(db));
        assertThat(r.exitCode()).as(r.out()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).contains("  " + expected);
        assertThat(r.out().lines().filter(l -> l.startsWith("  DIFFERS"))).as(r.out()).hasSize(1);
        return r.out();
    }

    /** The totals line counts tables as tables: every table is equal, the sequence is what differs. */
    @Test
    void aSequenceThatDiffersIsCountedAsASequenceNotAsATable() {
        Result r = run("verify", "--source", source.uri("shop"), "--target", target.uri("moved_sequence"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).contains("DIFFERS sequence").contains("invoice_numbers").doesNotContain(" DIFFERS\n")
                .contains("NOT EQUAL: 14 tables, 0 differ; 1 sequence differs");
    }

    @Test
    void badInputIsRejectedBeforeConnecting() {
        assertThat(run("verify", "--source", source.uri("shop"), "--target", target.uri("equal"), "--sample", "0").err())
                .contains("--sample must be 1 to 100");
        Result noDb = run("verify", "--source", "host=127.0.0.1", "--target", "host=127.0.0.1");
        assertThat(noDb.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(noDb.err()).contains("No database to compare");
        assertThat(run("verify", "--source", source.uri("shop"), "--target", target.uri("equal"), "--show-rows", "-1")
                .err()).contains("--show-rows must be 0 or more");
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
