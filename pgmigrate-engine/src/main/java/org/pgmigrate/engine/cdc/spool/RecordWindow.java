package org.pgmigrate.engine.cdc.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Read-ahead over one spool file. Reading a record straight from the file costs two small reads (header, then body);
 * a spool of pgbench-sized changes holds hundreds of thousands of them, so records come from a 1 MiB window filled
 * with one read instead. Only bytes before the caller's limit are ever cached, and spool files are append-only, so
 * the window never holds stale data. Records larger than the window are read directly.
 *
 * <p>One per reader; not thread-safe.
 */
final class RecordWindow {

    private static final int WINDOW_BYTES = 1 << 20;

    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    /** File offset of the window's first byte, or -1 when it holds nothing. */
    private long start = -1;

    /** Forgets the cached bytes: call when switching to another file. */
    void reset() {
        start = -1;
        window.clear().limit(0);
    }

    /** The same as {@link RecordIo#read}, served from the window where the record lies in it. */
    RecordIo.Read read(FileChannel channel, long position, long limit) throws IOException {
        if (position + RecordIo.HEADER_BYTES > limit) {
            return null;
        }
        if (!holds(position, RecordIo.HEADER_BYTES)) {
            fill(channel, position, limit);
        }
        int at = (int) (position - start);
        int length = window.getInt(at);
        if (length < 1 || RecordIo.HEADER_BYTES + (long) length > WINDOW_BYTES) {
            return RecordIo.read(channel, position, limit); // garbage is rejected there; a large record read directly
        }
        if (position + RecordIo.HEADER_BYTES + length > limit) {
            return null;
        }
        if (!holds(position, RecordIo.HEADER_BYTES + length)) {
            fill(channel, position, limit);
            at = 0;
        }
        int crc = window.getInt(at + 4);
        byte[] body = new byte[length];
        window.get(at + RecordIo.HEADER_BYTES, body);
        return RecordIo.checked(body, crc, position + RecordIo.HEADER_BYTES + length);
    }

    private boolean holds(long position, int bytes) {
        return start >= 0 && position >= start && position + bytes <= start + window.limit();
    }

    private void fill(FileChannel channel, long position, long limit) throws IOException {
        window.clear().limit((int) Math.min(WINDOW_BYTES, limit - position));
        long at = position;
        while (window.hasRemaining()) {
            int n = channel.read(window, at);
            if (n < 0) {
                throw new IOException("Unexpected end of spool file at " + at);
            }
            at += n;
        }
        window.flip();
        start = position;
    }
}
