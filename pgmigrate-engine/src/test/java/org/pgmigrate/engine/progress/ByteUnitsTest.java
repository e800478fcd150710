package org.pgmigrate.engine.progress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteUnitsTest {

    @Test
    void sizesUseBinaryMultiplesWithTheirIecNames() {
        assertThat(ByteUnits.format(0)).isEqualTo("0 B");
        assertThat(ByteUnits.format(1023)).isEqualTo("1023 B");
        assertThat(ByteUnits.format(1024)).isEqualTo("1.0 KiB");
        assertThat(ByteUnits.format(1536)).isEqualTo("1.5 KiB");
        assertThat(ByteUnits.format(72L << 20)).isEqualTo("72.0 MiB");
        assertThat(ByteUnits.format(812L << 20)).isEqualTo("812 MiB");
        assertThat(ByteUnits.format((1L << 30) + (1L << 28))).isEqualTo("1.3 GiB");
        assertThat(ByteUnits.format(5L << 40)).isEqualTo("5.0 TiB");
    }

    @Test
    void aValueThatWouldRoundUpToTheNextUnitIsShownInIt() {
        assertThat(ByteUnits.format((1L << 30) - 1)).isEqualTo("1.0 GiB");
        assertThat(ByteUnits.format((100L << 20) - 1024)).isEqualTo("100 MiB");
    }
}
