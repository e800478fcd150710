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
}
