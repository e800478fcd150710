package org.pgmigrate.testkit.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.zip.CRC32C;

/**
 * Gives a copied data directory a system identifier of its own.
 *
 * <p>initdb draws the identifier ({@code pg_control_system().system_identifier}) from the clock, so every cluster
 * it makes is a system of its own; a copy of a {@link ClusterTemplates template} would share it with every other
 * copy, as a restored base backup shares it with its origin. pgmigrate tells servers and databases apart by it
 * ({@code DatabaseIdentity}), so the testkit's clusters must keep distinct ones, as real servers have.
 *
 * <p>The identifier is written in two places of a cleanly shut down cluster: the first field of
 * {@code global/pg_control}, which ends with a CRC-32C of the bytes before it, and the long header that opens every
 * WAL segment ({@code xlp_sysid}, which the server compares with pg_control when it reads the WAL). Both are
 * rewritten here; the layout is found, not assumed per major: the CRC is where the CRC of the preceding bytes
 * matches, and a segment's identifier is replaced only where the old identifier is found. Runs on a stopped copy,
 * before its first start.
 */
final class SystemIdentifier {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** {@code XLP_LONG_HEADER} in {@code xlp_info}: the page starts a segment and carries the system identifier. */
    private static final int XLP_LONG_HEADER = 0x0002;
    /** {@code xlp_sysid}'s offset: after the 20-byte short header, aligned for a uint64 (9.5 to 18). */
    private static final int XLP_SYSID_OFFSET = 24;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private SystemIdentifier() {
    }

    /** Replaces the system identifier of the stopped cluster in {@code dataDir} with a new one; returns it. */
    static long renew(Path dataDir) throws IOException {
        Path controlFile = dataDir.resolve("global").resolve("pg_control");
        byte[] control = Files.readAllBytes(controlFile);
        int crcOffset = crcOffset(control, controlFile);
        long old = ByteBuffer.wrap(control).order(NATIVE).getLong(0);
        long fresh = newIdentifier(old);
        ByteBuffer buffer = ByteBuffer.wrap(control).order(NATIVE);
        buffer.putLong(0, fresh);
        buffer.putInt(crcOffset, crc(control, crcOffset));
        int segments = rewriteWalSegments(dataDir, old, fresh);
        if (segments == 0) {
            throw new IllegalStateException("No WAL segment in " + dataDir + " starts with system identifier "
                    + Long.toUnsignedString(old) + ": cannot give the copy an identifier of its own");
        }
        Files.write(controlFile, control);
        return fresh;
    }

    /** Reads the system identifier of the stopped cluster in {@code dataDir}, as pg_control_system() shows it. */
    static String of(Path dataDir) throws IOException {
        byte[] control = Files.readAllBytes(dataDir.resolve("global").resolve("pg_control"));
        return Long.toUnsignedString(ByteBuffer.wrap(control).order(NATIVE).getLong(0));
    }

    /** Like initdb's: seconds in the high half, so identifiers still sort by creation; random bits below. */
    private static long newIdentifier(long old) {
        long fresh;
        do {
            fresh = (System.currentTimeMillis() / 1000) << 32 | (RANDOM.nextInt() & 0xFFFFFFFFL);
        } while (fresh == old);
        return fresh;
    }

    private static int crcOffset(byte[] control, Path file) {
        ByteBuffer buffer = ByteBuffer.wrap(control).order(NATIVE);
        // ControlFileData is a few hundred bytes followed by zero padding; its last field is the CRC (a uint32).
        for (int offset = 16; offset + 4 <= Math.min(control.length, 1024); offset += 4) {
            if (buffer.getInt(offset) == crc(control, offset)) {
                return offset;
            }
        }
        throw new IllegalStateException("No CRC-32C found in " + file + ": not a pg_control this testkit understands");
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static int rewriteWalSegments(Path dataDir, long old, long fresh) throws IOException {
        Path wal = Files.isDirectory(dataDir.resolve("pg_wal")) ? dataDir.resolve("pg_wal") : dataDir.resolve("pg_xlog");
        int rewritten = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(wal, "[0-9A-F]*")) {
            for (Path segment : files) {
                if (segment.getFileName().toString().length() == 24 && rewriteSegment(segment, old, fresh)) {
                    rewritten++;
                }
            }
        }
        return rewritten;
    }

    private static boolean rewriteSegment(Path segment, long old, long fresh) throws IOException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(XLP_SYSID_OFFSET + 8).order(NATIVE);
            channel.read(header, 0);
            if (header.position() < header.capacity() || (header.getShort(2) & XLP_LONG_HEADER) == 0
                    || header.getLong(XLP_SYSID_OFFSET) != old) {
                return false;
            }
            ByteBuffer sysid = ByteBuffer.allocate(8).order(NATIVE).putLong(0, fresh);
            channel.write(sysid, XLP_SYSID_OFFSET);
            return true;
        }
    }
}
