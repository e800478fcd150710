package org.pgmigrate.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BinaryCopyDigestTest {

    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

    @Test
    void countsRowsButNotTheHeaderOrTheTrailer() {
        BinaryCopyDigest d = digest(row(1, "a"), row(2, "b"), row(3, "c"));

        assertThat(d.rows()).isEqualTo(3);
        assertThat(d.fingerprint().method()).isEqualTo("copy-stream-murmur3-128");
    }

    /**
     * The method's name promises MurmurHash3 x64 128 with seed 0 (a digest taken by one build is compared with one
     * taken by another on resume): the reference vector of its author, with no header in front of the row image.
     */
    @Test
    void hashesEachRowImageWithMurmurHash3X64128() {
        BinaryCopyDigest d = new BinaryCopyDigest();
        d.accept(concat(HEADER, "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII)));

        assertThat(d.fingerprint().hash()).isEqualTo("e34bbc7bbc071b6c/7a433ca9c49a9347");
    }

    @Test
    void doesNotDependOnRowOrder() {
        assertThat(digest(row(1, "a"), row(2, "b"), row(3, "c")).fingerprint())
                .isEqualTo(digest(row(3, "c"), row(1, "a"), row(2, "b")).fingerprint());
    }

    @Test
    void partsAddUpToTheWholeTable() {
        BinaryCopyDigest whole = digest(row(1, "a"), row(2, "b"), row(3, "c"));
        BinaryCopyDigest part = digest(row(2, "b"));
        part.add(digest(row(3, "c"), row(1, "a")));

        assertThat(part.fingerprint()).isEqualTo(whole.fingerprint());
    }

    @Test
    void aChangedMissingOrDuplicatedRowChangesTheFingerprint() {
        TableFingerprint original = digest(row(1, "a"), row(2, "b")).fingerprint();

        assertThat(digest(row(1, "a"), row(2, "B")).fingerprint().hash()).isNotEqualTo(original.hash());
        assertThat(digest(row(1, "a")).fingerprint()).isNotEqualTo(original);
        assertThat(digest(row(1, "a"), row(2, "b"), row(2, "b")).fingerprint()).isNotEqualTo(original);
        // Two rows swapping a value must not cancel out.
        assertThat(digest(row(1, "b"), row(2, "a")).fingerprint().hash()).isNotEqualTo(original.hash());
    }

    @Test
    void skipsAHeaderExtension() {
        byte[] header = HEADER.clone();
        header[18] = 3;
        BinaryCopyDigest d = new BinaryCopyDigest();
        d.accept(concat(header, new byte[] {9, 9, 9}, row(1, "a")));

        assertThat(d.fingerprint()).isEqualTo(digest(row(1, "a")).fingerprint());
    }

    @Test
    void anEmptyTableHasNoRows() {
        BinaryCopyDigest d = new BinaryCopyDigest();
        d.accept(concat(HEADER, TRAILER));

        assertThat(d.rows()).isZero();
        assertThat(d.fingerprint()).isEqualTo(new BinaryCopyDigest().fingerprint());
    }

    @Test
    void refusesAStreamThatIsNotBinaryCopy() {
        BinaryCopyDigest d = new BinaryCopyDigest();

        assertThatThrownBy(() -> d.accept("1\ta\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PGCOPY header");
    }

    /** A stream as the server sends it: the header in front of the first row, the trailer alone. */
    private static BinaryCopyDigest digest(byte[]... rows) {
        BinaryCopyDigest d = new BinaryCopyDigest();
        for (int i = 0; i < rows.length; i++) {
            d.accept(i == 0 ? concat(HEADER, rows[0]) : rows[i]);
        }
        d.accept(rows.length == 0 ? concat(HEADER, TRAILER) : TRAILER);
        return d;
    }

    /** A binary COPY tuple of an int4 and a text. */
    private static byte[] row(int id, String text) {
        byte[] t = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 4 + 4 + 4 + t.length).putShort((short) 2).putInt(4).putInt(id).putInt(t.length)
                .put(t).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
