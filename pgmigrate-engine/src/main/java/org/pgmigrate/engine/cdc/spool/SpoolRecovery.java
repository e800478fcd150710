package org.pgmigrate.engine.cdc.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.ObjLongConsumer;
import org.pgmigrate.engine.cdc.Lsn;

/**
 * Reads an existing spool directory when it is opened again: checks every record, cuts a torn tail of the last
 * segment back to the last whole transaction (a crash mid-write), deletes unfinished streamed transactions (the
 * source sends them again) and collects what the writer needs to carry on. A damaged record anywhere else is an
 * error, never skipped.
 */
final class SpoolRecovery {

    /** What an existing spool holds. {@code segments} maps each segment to the last boundary at or before its end. */
    record Recovered(TreeMap<Long, Lsn> segments, Lsn lastBoundary, long totalBytes, List<ByteBuffer> catalogMessages) {
    }

    private final TreeMap<Long, Lsn> segments = new TreeMap<>();
    private final List<ByteBuffer> catalogMessages = new ArrayList<>();
    private Lsn lastBoundary = Lsn.INVALID;
    private long totalBytes;

    private SpoolRecovery() {
    }

    /** {@code commits} receives each whole transaction still spooled: end LSN and source commit time. */
    static Recovered scan(Path dir, ObjLongConsumer<Lsn> commits) throws IOException {
        SpoolRecovery recovery = new SpoolRecovery();
        List<Long> seqs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".part")) {
                    Files.delete(f);
                } else if (name.startsWith("segment-") && name.endsWith(".spool")) {
                    seqs.add(Long.parseLong(name.substring(8, 24)));
                } else if (name.startsWith("txn-")) {
                    recovery.totalBytes += Files.size(f);
                }
            }
        }
        seqs.sort(null);
        for (int i = 0; i < seqs.size(); i++) {
            recovery.scanSegment(dir, seqs.get(i), i == seqs.size() - 1, commits);
        }
        return new Recovered(recovery.segments, recovery.lastBoundary, recovery.totalBytes, recovery.catalogMessages);
    }

    static Path segmentPath(Path dir, long seq) {
        return dir.resolve(String.format("segment-%016d.spool", seq));
    }

    private void scanSegment(Path dir, long seq, boolean last, ObjLongConsumer<Lsn> commits) throws IOException {
        Path path = segmentPath(dir, seq);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long position = 0;
            long boundaryPosition = 0;
            RecordWindow window = new RecordWindow();
            RecordIo.Read r;
            while ((r = window.read(ch, position, size)) != null) {
                position = r.next();
                SpoolRecord record = r.toRecord();
                if (record instanceof SpoolRecord.Message m) {
                    byte type = m.bytes().get(0);
                    if (type == 'R' || type == 'Y') {
                        catalogMessages.add(m.bytes());
                    } else if (type == 'C') {
                        Lsn end = Lsn.of(m.bytes().getLong(10));
                        commits.accept(end, m.bytes().getLong(18));
                        lastBoundary = Lsn.max(lastBoundary, end);
                        boundaryPosition = position;
                    }
                } else if (record instanceof SpoolRecord.Keepalive k) {
                    lastBoundary = Lsn.max(lastBoundary, k.lsn());
                    boundaryPosition = position;
                } else if (record instanceof SpoolRecord.Streamed s) {
                    commits.accept(s.endLsn(), s.commitTimeMicros());
                    lastBoundary = Lsn.max(lastBoundary, s.endLsn());
                    boundaryPosition = position;
                }
            }
            if (!last && position != size) {
                throw new IOException("Segment " + path.getFileName() + " is damaged at byte " + position + " of " + size);
            }
            if (last && boundaryPosition < size) {
                // A torn or unfinished tail: the source sends those transactions again.
                ch.truncate(boundaryPosition);
                size = boundaryPosition;
            }
            totalBytes += size;
            segments.put(seq, lastBoundary);
        }
    }
}
