package org.pgmigrate.engine.cdc.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.files.OwnerOnly;

/**
 * The on-disk change spool between the receiver and the applier: an append-only sequence of segment files holding
 * whole source transactions in commit order, plus one file per committed streamed transaction. Memory stays bounded
 * whatever the transaction size, and what is fsynced here may be confirmed to the source while the copy runs.
 *
 * <p>One writer thread (the receiver) calls the append, stream, sync and discard methods. Readers
 * ({@link #reader()}, any thread) see only whole transactions: they never read past the last published boundary,
 * and the writer never truncates below it. {@link #release} (any thread) deletes what is durably applied.
 *
 * <p>Each segment starts with the latest Relation and Type messages seen, so a reader that starts at any segment
 * knows every relation it meets even after older segments are gone.
 */
public final class Spool implements AutoCloseable {

    private static final int WRITE_BUFFER_BYTES = 256 * 1024;

    private final Path dir;
    private final long segmentBytes;
    private final Object monitor = new Object();
    /** seq -> last boundary LSN at or before the segment's end; guarded by monitor. */
    private final TreeMap<Long, Lsn> segments = new TreeMap<>();
    /** Latest Relation/Type message per (type, oid); writer thread only. */
    private final Map<Long, ByteBuffer> catalogMessages = new LinkedHashMap<>();
    private final Map<Integer, StreamFile> openStreams = new HashMap<>();
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);

    private volatile long currentSeq;
    private FileChannel current;
    private long currentSize;
    private Lsn lastBoundary;
    private volatile Lsn durable;
    private volatile Position limit;
    private boolean dirty;
    private final AtomicLong totalBytes = new AtomicLong();
    private volatile boolean closed;
    /** How many times {@link #wakeReaders} was called; guarded by {@code monitor}. */
    private long wakeups;

    record Position(long seq, long offset) {
    }

    private Spool(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens (or creates) the spool in {@code dir}. An existing spool is checked record by record; a torn tail of the
     * last segment (a crash mid-write) is cut back to the last whole transaction, and unfinished streamed
     * transactions are deleted, since the source sends them again. {@code commits} receives every whole
     * transaction still spooled (end LSN, commit time in microseconds since 2000-01-01).
     */
    public static Spool open(Path dir, long segmentBytes, ObjLongConsumer<Lsn> commits) {
        if (segmentBytes < 1024 * 1024) {
            throw new IllegalArgumentException("spool segmentBytes must be at least 1 MiB, was " + segmentBytes);
        }
        Spool spool = new Spool(dir, segmentBytes);
        try {
            OwnerOnly.directory(dir); // 0700, segments 0600: they hold the source's rows
            spool.recover(commits);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the change spool in " + dir + ": " + e.getMessage(), e);
        }
        return spool;
    }

    public Path directory() {
        return dir;
    }

    /** The end of the last whole transaction (or keepalive) written; where the source should resume. */
    public Lsn highWater() {
        return lastBoundary;
    }

    /** The end of the last whole transaction that is fsynced. */
    public Lsn durableLsn() {
        return durable;
    }

    /** True while a streamed transaction is being received (its changes are not whole yet). Writer thread only. */
    public boolean hasOpenStreams() {
        return !openStreams.isEmpty();
    }

    /** Bytes on disk in segments and streamed-transaction files. */
    public long sizeBytes() {
        return totalBytes.get();
    }

    // ---- writer side (receiver thread) ----

    /** Appends one pgoutput message of a (non-streamed) transaction, or a Relation/Type message. */
    public void appendMessage(ByteBuffer message) {
        append(RecordIo.MESSAGE, message);
        byte type = message.get(message.position());
        if (type == 'R' || type == 'Y') {
            rememberCatalogMessage(message, false);
        }
    }

    /** Marks the end of the transaction just appended (after its Commit message): readers may now apply it. */
    public void endTransaction(Lsn endLsn) {
        boundary(endLsn);
    }

    /** Records that every commit before {@code lsn} is spooled; a boundary like a commit. */
    public void appendKeepalive(Lsn lsn) {
        append(RecordIo.KEEPALIVE, RecordIo.keepalivePayload(lsn));
        boundary(lsn);
    }

    /** The file for streamed transaction {@code xid}: created at its first segment, reopened for later ones. */
    public StreamFile stream(int xid, boolean firstSegment) {
        StreamFile file = openStreams.get(xid);
        if (file == null) {
            if (!firstSegment) {
                throw new IllegalStateException("Stream segment for transaction " + Integer.toUnsignedString(xid)
                        + " arrived without its first segment");
            }
            file = new StreamFile(this, xid, dir.resolve("stream-" + Integer.toUnsignedString(xid) + ".part"));
            openStreams.put(xid, file);
        }
        return file;
    }

    /** The open file of streamed transaction {@code xid}, or null if none. */
    public StreamFile openStream(int xid) {
        return openStreams.get(xid);
    }

    /** Puts a committed streamed transaction in commit order; its file must already be synced and renamed. */
    void streamCommitted(StreamFile file, int xid, Lsn commitLsn, Lsn endLsn, long commitTimeMicros, String name,
                         List<ByteBuffer> catalog) {
        openStreams.remove(xid);
        for (ByteBuffer m : catalog) {
            appendMessage(m);
        }
        append(RecordIo.STREAMED, RecordIo.streamedPayload(xid, commitLsn, endLsn, commitTimeMicros, name));
        boundary(endLsn);
    }

    void streamDiscarded(int xid) {
        openStreams.remove(xid);
    }

    void addBytes(long n) {
        totalBytes.addAndGet(n);
    }

    /**
     * Throws away everything after the last whole transaction and every unfinished streamed transaction: after a
     * reconnect the source sends them again from the start.
     */
    public void discardIncomplete() {
        try {
            writeBuffer.clear();
            Position p = limit;
            totalBytes.addAndGet(p.offset() - currentSize);
            current.truncate(p.offset());
            current.position(p.offset());
            currentSize = p.offset();
            for (StreamFile f : new ArrayList<>(openStreams.values())) {
                f.discard();
            }
            openStreams.clear();
        } catch (IOException e) {
            throw failure("truncate", e);
        }
    }

    /** fsyncs the current segment if anything was written; returns the durable LSN. */
    public Lsn sync() {
        if (dirty) {
            try {
                flushBuffer();
                Lsn upTo = lastBoundary;
                current.force(false);
                durable = upTo;
                dirty = false;
            } catch (IOException e) {
                throw failure("fsync", e);
            }
        }
        return durable;
    }

    // ---- reader side ----

    /** A reader from the oldest retained segment. */
    public SpoolReader reader() {
        return new SpoolReader(this);
    }

    Position limit() {
        return limit;
    }

    Path segmentPath(long seq) {
        return SpoolRecovery.segmentPath(dir, seq);
    }

    Long firstSegment() {
        synchronized (monitor) {
            return segments.isEmpty() ? null : segments.firstKey();
        }
    }

    Long segmentAfter(long seq) {
        synchronized (monitor) {
            return segments.higherKey(seq);
        }
    }

    /**
     * Ends the readers' current waits for data at once (they return as if their timeout had passed): a stopping
     * applier is not held up to its idle wait, which a cutover would wait out.
     */
    public void wakeReaders() {
        synchronized (monitor) {
            wakeups++;
            monitor.notifyAll();
        }
    }

    /**
     * Waits until the published limit moves past {@code seen}, the timeout passes or {@link #wakeReaders} is called;
     * false for the last.
     */
    boolean awaitLimitChange(Position seen, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (monitor) {
            long wakeupsSeen = wakeups;
            while (limit.equals(seen) && !closed) {
                if (wakeups != wakeupsSeen) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return true;
        }
    }

    /**
     * Deletes segments and streamed-transaction files whose transactions all end at or before {@code applied}
     * (durably applied on the target). The segment being written is kept.
     */
    public void release(Lsn applied) {
        List<Path> doomed = new ArrayList<>();
        synchronized (monitor) {
            while (segments.size() > 1) {
                Map.Entry<Long, Lsn> first = segments.firstEntry();
                if (first.getKey() >= currentSeq || first.getValue().compareTo(applied) > 0) {
                    break;
                }
                segments.pollFirstEntry();
                doomed.add(segmentPath(first.getKey()));
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "txn-*.spool")) {
            for (Path f : files) {
                String hex = f.getFileName().toString().substring(4, 20);
                if (Lsn.of(Long.parseUnsignedLong(hex, 16)).compareTo(applied) <= 0) {
                    doomed.add(f);
                }
            }
        } catch (IOException e) {
            throw failure("list", e);
        }
        for (Path p : doomed) {
            try {
                long size = Files.size(p);
                Files.deleteIfExists(p);
                totalBytes.addAndGet(-size);
            } catch (IOException e) {
                throw failure("delete " + p.getFileName() + " in", e);
            }
        }
    }

    /** Closes files; unfinished streamed transactions are deleted. Does not delete the spool. */
    @Override
    public void close() {
        closed = true;
        synchronized (monitor) {
            monitor.notifyAll();
        }
        for (StreamFile f : new ArrayList<>(openStreams.values())) {
            f.discard();
        }
        try {
            if (current != null) {
                flushBuffer();
                current.close();
            }
        } catch (IOException e) {
            throw failure("close", e);
        }
    }

    /** Deletes the whole spool directory (after cutover or cancel). */
    public void delete() {
        close();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw failure("delete", e);
        }
    }

    boolean isClosed() {
        return closed;
    }

    // ---- internals ----

    private void append(byte kind, ByteBuffer payload) {
        try {
            if (currentSize == 0) {
                writeHeader();
            }
            writeRecord(kind, payload);
        } catch (IOException e) {
            throw failure("write", e);
        }
    }

    private void writeRecord(byte kind, ByteBuffer payload) throws IOException {
        int size = RecordIo.framedSize(payload);
        if (size > writeBuffer.remaining()) {
            flushBuffer();
        }
        if (size > writeBuffer.capacity()) {
            ByteBuffer big = ByteBuffer.allocate(size);
            RecordIo.frame(big, kind, payload);
            big.flip();
            RecordIo.writeFully(current, big);
        } else {
            RecordIo.frame(writeBuffer, kind, payload);
        }
        currentSize += size;
        totalBytes.addAndGet(size);
        dirty = true;
    }

    private void writeHeader() throws IOException {
        for (ByteBuffer m : new ArrayList<>(catalogMessages.values())) {
            writeRecord(RecordIo.MESSAGE, m);
        }
    }

    private void boundary(Lsn lsn) {
        try {
            flushBuffer();
            if (lsn.compareTo(lastBoundary) > 0) {
                lastBoundary = lsn;
            }
            synchronized (monitor) {
                segments.put(currentSeq, lastBoundary);
                limit = new Position(currentSeq, currentSize);
                monitor.notifyAll();
            }
            if (currentSize >= segmentBytes) {
                roll();
            }
        } catch (IOException e) {
            throw failure("write", e);
        }
    }

    private void roll() throws IOException {
        sync();
        current.close();
        openSegment(currentSeq + 1);
        writeHeader();
        flushBuffer();
        synchronized (monitor) {
            segments.put(currentSeq, lastBoundary);
            limit = new Position(currentSeq, currentSize);
            monitor.notifyAll();
        }
    }

    private void openSegment(long seq) throws IOException {
        currentSeq = seq;
        current = FileChannel.open(segmentPath(seq), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ), OwnerOnly.fileAttributes(dir));
        currentSize = current.size();
        current.position(currentSize);
        // A new file's directory entry must survive a crash too.
        if (currentSize == 0) {
            forceDirectory();
        }
    }

    private void flushBuffer() throws IOException {
        writeBuffer.flip();
        RecordIo.writeFully(current, writeBuffer);
        writeBuffer.clear();
    }

    void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the file's own fsync still covers its data.
        }
    }

    void rememberCatalogMessage(ByteBuffer message, boolean inStream) {
        ByteBuffer copy = ByteBuffer.allocate(message.remaining()).put(message.duplicate()).flip();
        int idOffset = inStream ? 5 : 1;
        long key = ((long) copy.get(0) << 32) | (copy.getInt(idOffset) & 0xFFFFFFFFL);
        if (inStream) {
            // Store it without the leading xid, as the main spool holds messages outside streams.
            ByteBuffer plain = ByteBuffer.allocate(copy.remaining() - 4);
            plain.put(copy.get(0)).put(copy.slice(5, copy.remaining() - 5)).flip();
            copy = plain;
        }
        catalogMessages.remove(key);
        catalogMessages.put(key, copy);
    }

    private UncheckedIOException failure(String action, IOException e) {
        return new UncheckedIOException("Cannot " + action + " the change spool in " + dir + ": " + e.getMessage()
                + ". Check free space and permissions there.", e);
    }

    private void recover(ObjLongConsumer<Lsn> commits) throws IOException {
        SpoolRecovery.Recovered found = SpoolRecovery.scan(dir, commits);
        for (ByteBuffer m : found.catalogMessages()) {
            rememberCatalogMessage(m, false);
        }
        totalBytes.set(found.totalBytes());
        lastBoundary = found.lastBoundary();
        segments.putAll(found.segments());
        openSegment(segments.isEmpty() ? 0 : segments.lastKey());
        durable = lastBoundary;
        segments.put(currentSeq, lastBoundary);
        limit = new Position(currentSeq, currentSize);
    }
}
