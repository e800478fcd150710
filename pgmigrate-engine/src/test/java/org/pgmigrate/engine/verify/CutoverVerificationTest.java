package org.pgmigrate.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CutoverVerificationTest {

    private static final TableFingerprint THOUSAND = new TableFingerprint(1000, "9f2c", "hash");
    private static final TableVerification ORDERS = new TableVerification("shop.orders", THOUSAND,
            new TableFingerprint(997, "77aa", "hash"));
    private static final TableVerification LINES = new TableVerification("shop.lines", THOUSAND,
            new TableFingerprint(1000, "77ab", "hash"));
    private static final TableVerification ITEMS = new TableVerification("shop.items", THOUSAND, THOUSAND);

    @Test
    void writesAfterTheEndPointExplainTheTablesAndSequencesTheyTouchedAndNothingElse() {
        SourceWrites atEndPoint = new SourceWrites(Map.of("shop.orders", 10L, "shop.lines", 4L, "shop.items", 7L),
                List.of(seq("orders_id_seq", "1000"), seq("other_seq", "5")));
        SourceWrites now = new SourceWrites(Map.of("shop.orders", 13L, "shop.lines", 4L, "shop.items", 9L),
                List.of(seq("orders_id_seq", "1003"), seq("other_seq", "5")));
        VerificationReport report = new VerificationReport("shop", List.of(ITEMS, LINES, ORDERS),
                List.of("\"shop\".\"orders_id_seq\": last_value 1003 (called) on the source, 1000 (called) on the target",
                        "\"shop\".\"other_seq\": last_value 5 (called) on the source, 1 on the target"),
                List.of(), List.of(), 100);

        CutoverVerification v = new CutoverVerification(report, now.since(atEndPoint));

        assertThat(v.changedTables()).containsExactly("shop.orders");
        assertThat(v.changedSequences()).containsExactly("shop.orders_id_seq");
        assertThat(v.failures()).containsExactly("shop.lines: 1000 rows on both sides, but their contents differ",
                "sequence \"shop\".\"other_seq\": last_value 5 (called) on the source, 1 on the target");
        assertThat(v.passed()).isFalse();
        assertThat(v.warning()).hasValue("The source changed after the cutover's end point: table shop.orders and "
                + "sequence shop.orders_id_seq were written on the source after it. Changes committed after the end "
                + "point are not migrated, so these differ from the target; stop writes on the source before the "
                + "cutover to migrate everything.");
        assertThat(v.warning().orElseThrow()).doesNotContain("9f2c").doesNotContain("77aa");
    }

    @Test
    void differencesAllExplainedPassWithAWarningAndAQuietSourcePassesWithout() {
        SourceWrites atEndPoint = new SourceWrites(Map.of("shop.orders", 10L, "shop.lines", 4L), List.of());
        SourceWrites now = new SourceWrites(Map.of("shop.orders", 12L, "shop.lines", 5L, "shop.new", 0L), List.of());
        CutoverVerification written = new CutoverVerification(new VerificationReport("shop",
                List.of(LINES, ORDERS), List.of(), List.of(), List.of(), 100), now.since(atEndPoint));
        assertThat(written.passed()).isTrue();
        assertThat(written.warning().orElseThrow()).startsWith("The source changed after the cutover's end point: "
                + "tables shop.lines, shop.orders were written");

        CutoverVerification quiet = new CutoverVerification(new VerificationReport("shop", List.of(ITEMS), List.of(),
                List.of(), List.of(), 100), atEndPoint.since(atEndPoint));
        assertThat(quiet.passed()).isTrue();
        assertThat(quiet.warning()).isEmpty();
        assertThat(atEndPoint.since(atEndPoint).none()).isTrue();
    }

    @Test
    void aTableThatAppearedOrWhoseCountersWentDownCountsAsWritten() {
        SourceWrites before = new SourceWrites(Map.of("shop.orders", 10L), List.of(seq("s", "null")));
        SourceWrites after = new SourceWrites(Map.of("shop.orders", 2L, "shop.fresh", 0L),
                List.of(seq("s", "1"), seq("Fresh", "null")));
        assertThat(after.since(before).tables()).containsExactly("shop.fresh", "shop.orders");
        assertThat(after.since(before).sequences()).extracting(SourceWrites.Sequence::displayName)
                .containsExactly("shop.\"Fresh\"", "shop.s");
    }

    private static SourceWrites.Sequence seq(String name, String lastValue) {
        return new SourceWrites.Sequence("shop", name, lastValue);
    }
}
