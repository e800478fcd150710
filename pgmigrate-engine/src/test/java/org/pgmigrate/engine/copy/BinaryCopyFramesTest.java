package org.pgmigrate.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** Which CopyData messages of a binary COPY stream are rows: the header and the trailer are not. */
class BinaryCopyFramesTest {

    /** A one-column row: field count 1, length 4, an int4. */
    private static final byte[] ROW = {0, 1, 0, 0, 0, 4, 0, 0, 0, 42};
    private static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

    @Test
    void theHeaderRidesInFrontOfTheFirstRowAndTheTrailerIsNoRow() {
        byte[] first = concat(header(0), ROW);

        assertThat(BinaryCopyFrames.rowOffset(first, true)).isEqualTo(19);
        assertThat(BinaryCopyFrames.rowOffset(ROW, false)).isZero();
        assertThat(BinaryCopyFrames.rowOffset(TRAILER, false)).isEqualTo(-1);
    }

    @Test
    void anEmptyTableSendsTheHeaderAndTheTrailerAndNoRow() {
        assertThat(BinaryCopyFrames.rowOffset(header(0), true)).isEqualTo(-1);
        assertThat(BinaryCopyFrames.rowOffset(concat(header(0), TRAILER), true)).isEqualTo(-1);
    }

    @Test
    void aHeaderExtensionIsSkipped() {
        assertThat(BinaryCopyFrames.rowOffset(concat(header(3), ROW), true)).isEqualTo(22);
    }

    @Test
    void aStreamWithoutTheSignatureIsRefused() {
        assertThatThrownBy(() -> BinaryCopyFrames.rowOffset("1\tshop\n".getBytes(), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PGCOPY header");
    }

    /** The signature, 32-bit flags, the extension length and that many extension bytes. */
    private static byte[] header(int extension) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
        out.writeBytes(new byte[] {0, 0, 0, 0});
        out.writeBytes(new byte[] {0, 0, 0, (byte) extension});
        out.writeBytes(new byte[extension]);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
