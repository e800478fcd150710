package org.pgmigrate.engine.copy;

import java.util.Arrays;

/**
 * Where the row is in each CopyData message of a binary {@code COPY ... TO STDOUT} stream. The server sends each row
 * in a message of its own, but the stream's header rides in front of the first row, and the trailer (a field count
 * of -1) comes alone, or right behind the header when the stream has no row at all. So counting messages counts one
 * row too many: the copy's row counter and the verification's digest both read the frames here. Stateless.
 */
public final class BinaryCopyFrames {

    /** "PGCOPY\n\377\r\n\0", then a 32-bit flags field and a 32-bit header extension length. */
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final int FIXED_HEADER = SIGNATURE.length + 8;

    private BinaryCopyFrames() {
    }

    /**
     * The offset of the row image in {@code message}, or -1 when the message holds no row (the trailer).
     *
     * @param first whether this is the stream's first message, which starts with the header
     * @throws IllegalArgumentException when the first message does not start with a binary COPY header
     */
    public static int rowOffset(byte[] message, boolean first) {
        int offset = first ? headerLength(message) : 0;
        int length = message.length - offset;
        return length == 0 || isTrailer(message, offset, length) ? -1 : offset;
    }

    private static int headerLength(byte[] message) {
        if (message.length < FIXED_HEADER || !Arrays.equals(message, 0, SIGNATURE.length, SIGNATURE, 0,
                SIGNATURE.length)) {
            throw new IllegalArgumentException("not a binary COPY stream: its first message has no PGCOPY header");
        }
        int extension = ((message[15] & 0xFF) << 24) | ((message[16] & 0xFF) << 16) | ((message[17] & 0xFF) << 8)
                | (message[18] & 0xFF);
        if (extension < 0 || FIXED_HEADER + extension > message.length) {
            throw new IllegalArgumentException("not a binary COPY stream: bad header extension length " + extension);
        }
        return FIXED_HEADER + extension;
    }

    /** The end of the stream: a field count of -1, which no row has. */
    private static boolean isTrailer(byte[] message, int offset, int length) {
        return length == 2 && message[offset] == (byte) 0xFF && message[offset + 1] == (byte) 0xFF;
    }
}
