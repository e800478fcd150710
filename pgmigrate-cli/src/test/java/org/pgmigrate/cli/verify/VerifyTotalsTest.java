package org.pgmigrate.cli.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.verify.TableFingerprint;
import org.pgmigrate.engine.verify.TableVerification;
import org.pgmigrate.engine.verify.VerificationReport;

class VerifyTotalsTest {

    private static final TableVerification EQUAL = table("public.a", 10, 10, "h");
    private static final TableVerification DIFFERS = table("public.b", 10, 9, "h");

    @Test
    void tablesAreCountedAsTablesAndASequenceThatDiffersIsCountedOnItsOwn() {
        // The case: every table row says equal, a sequence differs. It was "NOT EQUAL: 6 tables, 1 differ".
        VerificationReport report = new VerificationReport("shop", List.of(EQUAL, EQUAL, EQUAL, EQUAL, EQUAL, EQUAL),
                List.of("shop.invoice_numbers: last_value 1007 (called) on the source, 1000 on the target"), List.of(),
                List.of(), 100);

        assertThat(VerifyCommand.totals(report)).isEqualTo("NOT EQUAL: 6 tables, 0 differ; 1 sequence differs");
    }

    @Test
    void objectsThatDifferAreCountedApartAndTablesStayTables() {
        VerificationReport report = new VerificationReport("shop", List.of(EQUAL, DIFFERS), List.of("s1", "s2"),
                List.of("missing on the target: index shop.orders_customer (CREATE INDEX ...)"), List.of(), 100);

        assertThat(VerifyCommand.totals(report)).isEqualTo("NOT EQUAL: 2 tables, 1 differs; 2 sequences differ; 1 object differs");
    }

    @Test
    void equalDatabasesAndOneTable() {
        assertThat(VerifyCommand.totals(new VerificationReport("shop", List.of(EQUAL), List.of(), List.of(), List.of(), 100)))
                .isEqualTo("EQUAL: 1 table, 0 differ");
        assertThat(VerifyCommand.totals(new VerificationReport("shop", List.of(), List.of(), List.of(), List.of(), 100)))
                .isEqualTo("EQUAL: 0 tables, 0 differ");
    }

    private static TableVerification table(String name, long sourceRows, long targetRows, String hash) {
        return new TableVerification(name, new TableFingerprint(sourceRows, hash, "md5"),
                new TableFingerprint(targetRows, hash, "md5"));
    }
}
