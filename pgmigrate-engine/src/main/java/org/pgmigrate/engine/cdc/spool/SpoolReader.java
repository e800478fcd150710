package org.pgmigrate.engine.cdc.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

/**
 * Reads the spool in order, from the oldest retained segment, only up to the last whole transaction the writer
 * published. One reader per thread; not thread-safe. Records are read one at a time, so memory stays bounded.
 */
public final class SpoolReader implements AutoCloseable {

    private final Spool spool;
    private final RecordWindow window = new RecordWindow();
    private Long seq;
    private FileChannel channel;
    private long position;

    SpoolReader(Spool spool) {
        this.spool = spool;
    }

    /**
     * The next record, waiting up to {@code timeout} for the writer; null when none arrived in time (or the spool
     * closed).
     */
    public SpoolRecord next(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        try {
            while (true) {
                Spool.Position limit = spool.limit();
                if (channel == null && !openFirst()) {
                    if (!waitFor(limit, deadline)) {
                        return null;
                    }
                    continue;
                }
                long end = seq == limit.seq() ? limit.offset() : channel.size();
                if (seq > limit.seq()) {
                    end = 0; // a segment the writer has not published yet
                }
                if (position < end) {
                    RecordIo.Read r = window.read(channel, position, end);
                    if (r == null) {
                        throw new IOException("damaged record at byte " + position + " of segment " + seq);
                    }
                    position = r.next();
                    return r.toRecord();
                }
                if (seq < limit.seq()) {
                    Long next = spool.segmentAfter(seq);
                    if (next != null) {
                        open(next);
                        continue;
                    }
                }
                if (!waitFor(limit, deadline)) {
                    return null;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the change spool in " + spool.directory() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The messages of a committed streamed transaction, in order (each with its leading xid). */
    public StreamedMessages streamed(SpoolRecord.Streamed transaction) {
        FileChannel file;
        try {
            file = FileChannel.open(spool.directory().resolve(transaction.fileName()), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open streamed transaction " + transaction.fileName() + " in "
                    + spool.directory() + ": " + e.getMessage(), e);
        }
        return new StreamedMessages(file, transaction.fileName());
    }

    @Override
    public void close() {
        closeChannel();
    }

    private boolean waitFor(Spool.Position seen, long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0 || spool.isClosed()) {
            return false;
        }
        spool.awaitLimitChange(seen, left);
        return true;
    }

    private boolean openFirst() throws IOException {
        Long first = spool.firstSegment();
        if (first == null) {
            return false;
        }
        open(first);
        return true;
    }

    private void open(long segment) throws IOException {
        closeChannel();
        try {
            channel = FileChannel.open(spool.segmentPath(segment), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new IOException("segment " + segment + " is missing", e);
        }
        seq = segment;
        position = 0;
        window.reset();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // read-only; nothing to lose
            }
            channel = null;
        }
    }

    /** The messages of one committed streamed transaction; close it when done. */
    public static final class StreamedMessages implements Iterator<ByteBuffer>, AutoCloseable {
        private final FileChannel file;
        private final String name;
        private final RecordWindow window = new RecordWindow();
        private long position;
        private ByteBuffer next;

        StreamedMessages(FileChannel file, String name) {
            this.file = file;
            this.name = name;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            try {
                long size = file.size();
                if (position >= size) {
                    close();
                    return false;
                }
                RecordIo.Read r = window.read(file, position, size);
                if (r == null) {
                    throw new IOException("damaged record at byte " + position);
                }
                position = r.next();
                next = r.payload();
                return true;
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("Cannot read streamed transaction " + name + ": " + e.getMessage(), e);
            }
        }

        @Override
        public ByteBuffer next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ByteBuffer b = next;
            next = null;
            return b;
        }

        @Override
        public void close() {
            try {
                file.close();
            } catch (IOException e) {
                // read-only
            }
        }
    }
}
