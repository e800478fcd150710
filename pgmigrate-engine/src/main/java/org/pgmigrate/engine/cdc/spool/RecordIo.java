package org.pgmigrate.engine.cdc.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.pgmigrate.engine.cdc.Lsn;

/**
 * The framing of spool files: {@code int length, int crc32c, byte kind, payload}, where length counts kind and
 * payload. A CRC lets a restart tell a torn tail (cut off by a crash) from good data.
 */
final class RecordIo {

    static final byte MESSAGE = 'M';
    static final byte KEEPALIVE = 'K';
    static final byte STREAMED = 'X';
    static final int HEADER_BYTES = 8;
    /** Larger than any pgoutput message can be (1 GB field limit plus framing), to reject garbage lengths. */
    private static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 64;

    private RecordIo() {
    }

    /** Frames {@code payload} (position to limit, not moved) into {@code out}, which must have room. */
    static void frame(ByteBuffer out, byte kind, ByteBuffer payload) {
        int length = 1 + payload.remaining();
        CRC32C crc = new CRC32C();
        crc.update(kind);
        crc.update(payload.duplicate());
        out.putInt(length).putInt((int) crc.getValue()).put(kind).put(payload.duplicate());
    }

    static int framedSize(ByteBuffer payload) {
        return HEADER_BYTES + 1 + payload.remaining();
    }

    static ByteBuffer keepalivePayload(Lsn lsn) {
        return ByteBuffer.allocate(8).putLong(0, lsn.value());
    }

    static ByteBuffer streamedPayload(int xid, Lsn commitLsn, Lsn endLsn, long commitTimeMicros, String fileName) {
        byte[] name = fileName.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 8 + 8 + name.length);
        b.putInt(xid).putLong(commitLsn.value()).putLong(endLsn.value()).putLong(commitTimeMicros).put(name).flip();
        return b;
    }

    /** A record read from a file: its kind, payload, and the position after it. */
    record Read(byte kind, ByteBuffer payload, long next) {

        SpoolRecord toRecord() {
            return switch (kind) {
                case MESSAGE -> new SpoolRecord.Message(payload);
                case KEEPALIVE -> new SpoolRecord.Keepalive(Lsn.of(payload.getLong(0)));
                case STREAMED -> {
                    ByteBuffer b = payload.duplicate();
                    int xid = b.getInt();
                    Lsn commit = Lsn.of(b.getLong());
                    Lsn end = Lsn.of(b.getLong());
                    long time = b.getLong();
                    String name = new String(b.array(), b.arrayOffset() + b.position(), b.remaining(),
                            StandardCharsets.UTF_8);
                    yield new SpoolRecord.Streamed(xid, commit, end, time, name);
                }
                default -> throw new IllegalStateException("Unknown spool record kind " + kind);
            };
        }
    }

    /**
     * Reads the record at {@code position} if it lies wholly before {@code limit} and its CRC matches; returns null
     * when the bytes end early or do not check out (a torn tail).
     */
    static Read read(FileChannel channel, long position, long limit) throws IOException {
        if (position + HEADER_BYTES > limit) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        readFully(channel, header, position);
        int length = header.getInt(0);
        int crc = header.getInt(4);
        if (length < 1 || length > MAX_RECORD_BYTES || position + HEADER_BYTES + length > limit) {
            return null;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(channel, body, position + HEADER_BYTES);
        return checked(body.array(), crc, position + HEADER_BYTES + length);
    }

    /** The record whose framed bytes after the header are {@code body}, or null if they fail {@code crc}. */
    static Read checked(byte[] body, int crc, long next) {
        CRC32C check = new CRC32C();
        check.update(body, 0, body.length);
        if ((int) check.getValue() != crc) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.wrap(body, 1, body.length - 1).slice();
        return new Read(body[0], payload, next);
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new IOException("Unexpected end of spool file at " + at);
            }
            at += n;
        }
        into.flip();
    }

    /** Writes all of {@code buffer} at the channel's position. */
    static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
