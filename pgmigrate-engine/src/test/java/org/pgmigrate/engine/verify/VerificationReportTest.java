package org.pgmigrate.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class VerificationReportTest {

    private static final TableFingerprint THOUSAND = new TableFingerprint(1000, "9f2c", "hash");

    @Test
    void aTableWithChangedContentsIsDescribedWithoutHashValues() {
        TableVerification t = new TableVerification("shop.orders", THOUSAND, new TableFingerprint(1000, "77aa", "hash"));
        assertThat(t.equal()).isFalse();
        assertThat(t.describe()).isEqualTo("shop.orders: 1000 rows on both sides, but their contents differ")
                .doesNotContain("9f2c").doesNotContain("77aa");
    }

    @Test
    void theDifferingRowsFollowTheCounts() {
        TableVerification t = new TableVerification("shop.orders", THOUSAND, new TableFingerprint(999, "77aa", "hash"))
                .withDifferingRows(List.of("id=7 (missing on the target)", "id=42 (differs)"));
        assertThat(t.describe()).isEqualTo("shop.orders: 1000 rows on the source, 999 on the target; rows by key:"
                + " id=7 (missing on the target), id=42 (differs)");
    }

    @Test
    void differencesListTablesThenSequencesThenObjectsAndWarningsDoNotMakeItDiffer() {
        TableVerification equal = new TableVerification("shop.a", THOUSAND, THOUSAND);
        TableVerification differs = new TableVerification("shop.b", THOUSAND, new TableFingerprint(3, "00", "hash"));
        VerificationReport report = new VerificationReport("shop", List.of(equal, differs),
                List.of("shop.numbers: last_value 9 on the source, 1 on the target"),
                List.of("missing on the target: index shop.b_x (CREATE INDEX b_x ON shop.b USING btree (x))"),
                List.of("a note"), 100);
        assertThat(report.equal()).isFalse();
        assertThat(report.differences()).containsExactly("shop.b: 1000 rows on the source, 3 on the target",
                "sequence shop.numbers: last_value 9 on the source, 1 on the target",
                "missing on the target: index shop.b_x (CREATE INDEX b_x ON shop.b USING btree (x))");
        assertThat(report.describeMismatches()).isEqualTo("Verification of database shop found differences:\n"
                + "  shop.b: 1000 rows on the source, 3 on the target\n"
                + "  sequence shop.numbers: last_value 9 on the source, 1 on the target\n"
                + "  missing on the target: index shop.b_x (CREATE INDEX b_x ON shop.b USING btree (x))");

        VerificationReport onlyWarned = new VerificationReport("shop", List.of(equal), List.of(), List.of(),
                List.of("a note"), 100);
        assertThat(onlyWarned.equal()).isTrue();
        assertThat(onlyWarned.differences()).isEmpty();
    }
}
