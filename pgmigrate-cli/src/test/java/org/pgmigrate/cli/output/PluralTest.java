package org.pgmigrate.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PluralTest {

    @Test
    void oneIsSingularEveryOtherCountPlural() {
        assertThat(Plural.of(1, "table")).isEqualTo("1 table");
        assertThat(Plural.of(0, "table")).isEqualTo("0 tables");
        assertThat(Plural.of(2_000_000, "row")).isEqualTo("2,000,000 rows");
        assertThat(Plural.of(1, "index", "indexes")).isEqualTo("1 index");
        assertThat(Plural.of(3, "entry", "entries")).isEqualTo("3 entries");
    }

    @Test
    void groupsDigitsAsPercentCommaDDoes() {
        for (long n : new long[] {0, 7, -7, 999, 1000, -1000, 12_345, 100_000, -999_999, 1_000_000, Long.MAX_VALUE,
                Long.MIN_VALUE}) {
            assertThat(Plural.grouped(n)).as("%d", n).isEqualTo(String.format(java.util.Locale.ROOT, "%,d", n));
        }
    }
}
