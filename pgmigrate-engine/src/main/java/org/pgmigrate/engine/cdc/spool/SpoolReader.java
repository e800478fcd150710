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
import org.pgmigrate.engine.cdc.Lsn;

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
    /** Transactions whose commit ends before this are passed over; null once the first later one is reached. */
    private Lsn passOverBefore;
    /** Inside a transaction being passed over. */
    private boolean passingOver;

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
                    if (passOverBefore != null && passedOver(end)) {
                        continue;
                    }
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

    /**
     * From here on, passes over the transactions that end before {@code lsn} (applied before a restart): their
     * records are looked at in place, never copied, checked or decoded, and only their Relation and Type messages are
     * returned, which later transactions' rows need. The first transaction at or after {@code lsn} ends it. After a
     * restart the applier otherwise read and decoded up to a whole segment of applied rows again (1-2 s for 64 MiB).
     * The records passed over were checked when the spool was opened ({@link SpoolRecovery}) or are this process's
     * own writes.
     */
    public void passOverTransactionsBefore(Lsn lsn) {
        passOverBefore = lsn != null && lsn.isValid() ? lsn : null;
        passingOver = false;
    }

    /**
     * Whether the record at {@code position} belongs to a transaction passed over; if so, moves past it. A Begin
     * ({@code 'B'}, final LSN at payload offset 1) starts such a transaction or ends the passing over for good; its
     * Commit ({@code 'C'}) ends it.
     */
    private boolean passedOver(long end) throws IOException {
        int length = window.peek(channel, position, end, 10);
        if (length < 2 || window.bodyByte(position, 0) != RecordIo.MESSAGE) {
            return false;
        }
        byte type = window.bodyByte(position, 1);
        if (type == 'B' && length >= 10) {
            if (!Lsn.of(window.bodyLong(position, 2)).isBefore(passOverBefore)) {
                passOverBefore = null;
                passingOver = false;
                return false;
            }
            passingOver = true;
        } else if (!passingOver || type == 'R' || type == 'Y') {
            return false;
        } else if (type == 'C') {
            passingOver = false;
        }
        position += RecordIo.HEADER_BYTES + length;
        return true;
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
        return spool.awaitLimitChange(seen, left);
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
        passingOver = false; // a segment starts between transactions
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
