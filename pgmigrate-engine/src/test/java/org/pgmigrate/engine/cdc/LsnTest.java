package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void parsesAndPrintsPostgresTextForm() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.value()).isEqualTo(0x16B374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.INVALID);
        assertThat(Lsn.parse("ffffffff/ffffffff").value()).isEqualTo(-1L);
    }

    @Test
    void rejectsJunkInsteadOfReturningZero() {
        for (String junk : new String[] {"", "junk", "16", "16/", "/1", "1/2/3", "123456789/0", "g/0", " 1/2"}) {
            assertThatThrownBy(() -> Lsn.parse(junk)).as(junk)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Invalid LSN");
        }
        assertThatThrownBy(() -> Lsn.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ordersAsUnsignedNumbers() {
        Lsn low = Lsn.parse("7FFFFFFF/0");
        Lsn high = Lsn.parse("80000000/0");
        assertThat(low).isLessThan(high);
        assertThat(high.bytesAfter(low)).isEqualTo(0x1_0000_0000L);
        assertThat(low.bytesAfter(high)).isZero();
        assertThat(Lsn.max(low, high)).isEqualTo(high);
    }
}
