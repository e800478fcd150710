package org.pgmigrate.engine.cdc.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

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
    /** {@link #verify}: the record is larger than the window; {@link #read} reads it directly. */
    static final int TOO_LARGE = -2;

    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private final CRC32C crc = new CRC32C();
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

    /**
     * Checks the record at {@code position} where it lies in the window, copying nothing: returns its length after
     * the header when it lies wholly before {@code limit} and passes its CRC (then {@link #bodyByte} and
     * {@link #bodyLong} read it), -1 when it does not (a torn tail, as {@link #read} returns null), or
     * {@link #TOO_LARGE}. For a scan of a whole spool file that keeps only a few fields of most records.
     */
    int verify(FileChannel channel, long position, long limit) throws IOException {
        int length = peek(channel, position, limit, WINDOW_BYTES - RecordIo.HEADER_BYTES);
        if (length < 0) {
            return -1;
        }
        if (RecordIo.HEADER_BYTES + (long) length > WINDOW_BYTES) {
            return TOO_LARGE;
        }
        int at = (int) (position - start);
        crc.reset();
        crc.update(window.array(), window.arrayOffset() + at + RecordIo.HEADER_BYTES, length);
        return (int) crc.getValue() == window.getInt(at + 4) ? length : -1;
    }

    /**
     * Brings the header and the first {@code bodyBytes} bytes (kind first) of the record at {@code position} into the
     * window, without copying or checking the record, and returns its length after the header; -1 when its header
     * does not lie wholly before {@code limit} or its length is not that of a record ending before it (the caller
     * then reads it with {@link #read}, which tells a torn tail from garbage).
     */
    int peek(FileChannel channel, long position, long limit, int bodyBytes) throws IOException {
        if (position + RecordIo.HEADER_BYTES > limit) {
            return -1;
        }
        if (!holds(position, RecordIo.HEADER_BYTES)) {
            fill(channel, position, limit);
        }
        int length = window.getInt((int) (position - start));
        if (length < 1 || position + RecordIo.HEADER_BYTES + length > limit) {
            return -1;
        }
        if (!holds(position, RecordIo.HEADER_BYTES + Math.min(length, bodyBytes))) {
            fill(channel, position, limit);
        }
        return length;
    }

    /** Byte {@code offset} of the body (0: the kind) of the record at {@code position}, after {@link #peek}. */
    byte bodyByte(long position, int offset) {
        return window.get((int) (position - start) + RecordIo.HEADER_BYTES + offset);
    }

    /** The big-endian long at {@code offset} of the body of the record at {@code position}, after {@link #peek}. */
    long bodyLong(long position, int offset) {
        return window.getLong((int) (position - start) + RecordIo.HEADER_BYTES + offset);
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
