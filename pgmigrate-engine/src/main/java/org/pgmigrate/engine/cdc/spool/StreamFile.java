package org.pgmigrate.engine.cdc.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.files.OwnerOnly;

/**
 * The spool file of one streamed (in-progress) source transaction, protocol 2+. Chunks are appended as they
 * arrive; a rolled-back subtransaction cuts the file back to that subtransaction's first change (the changes after
 * it belong to it or its children, as in PostgreSQL's own apply worker); the commit syncs and renames the file and
 * puts it in the main spool in commit order.
 *
 * <p>Writer thread only.
 */
public final class StreamFile {

    private final Spool spool;
    private final int xid;
    private final Path path;
    private final FileChannel channel;
    /** subxid -> (offset of its first record, changes before it); insertion order = file order. */
    private final Map<Integer, long[]> subtransactions = new LinkedHashMap<>();
    private final List<ByteBuffer> catalog = new ArrayList<>();
    private long size;
    private long changes;

    StreamFile(Spool spool, int xid, Path path) {
        this.spool = spool;
        this.xid = xid;
        this.path = path;
        try {
            this.channel = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    OwnerOnly.fileAttributes(path.getParent()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + path + ": " + e.getMessage(), e);
        }
    }

    public int xid() {
        return xid;
    }

    /** Changes (insert, update, delete, truncate) currently in the file. */
    public long changes() {
        return changes;
    }

    /** Appends one message of the stream (with its leading xid), belonging to (sub)transaction {@code subXid}. */
    public void append(ByteBuffer message, int subXid, boolean isChange) {
        subtransactions.computeIfAbsent(subXid, k -> new long[] {size, changes});
        byte type = message.get(message.position());
        if (type == 'R' || type == 'Y') {
            spool.rememberCatalogMessage(message, true);
            catalog.add(withoutXid(message));
        }
        ByteBuffer framed = ByteBuffer.allocate(RecordIo.framedSize(message));
        RecordIo.frame(framed, RecordIo.MESSAGE, message);
        framed.flip();
        try {
            RecordIo.writeFully(channel, framed);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + path + ": " + e.getMessage()
                    + ". Check free space and permissions there.", e);
        }
        size += framed.limit();
        spool.addBytes(framed.limit());
        if (isChange) {
            changes++;
        }
    }

    /** Applies a Stream Abort: the whole transaction when {@code subXid == xid}, else one subtransaction. */
    public void abort(int subXid) {
        if (subXid == xid) {
            discard();
            return;
        }
        long[] first = subtransactions.get(subXid);
        if (first == null) {
            return; // it wrote nothing we kept
        }
        try {
            channel.truncate(first[0]);
            channel.position(first[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot truncate " + path + ": " + e.getMessage(), e);
        }
        spool.addBytes(first[0] - size);
        size = first[0];
        changes = first[1];
        for (Iterator<long[]> it = subtransactions.values().iterator(); it.hasNext(); ) {
            if (it.next()[0] >= first[0]) {
                it.remove();
            }
        }
    }

    /** Syncs the file, renames it after its end LSN, and appends it to the main spool in commit order. */
    public String commit(Lsn commitLsn, Lsn endLsn, long commitTimeMicros) {
        String name = String.format("txn-%016x.spool", endLsn.value());
        try {
            channel.force(false);
            channel.close();
            Files.move(path, path.resolveSibling(name), StandardCopyOption.ATOMIC_MOVE);
            spool.forceDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot commit " + path + ": " + e.getMessage(), e);
        }
        spool.streamCommitted(this, xid, commitLsn, endLsn, commitTimeMicros, name, catalog);
        return name;
    }

    /** Deletes the file (abort, reconnect or shutdown). */
    public void discard() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
        }
        spool.addBytes(-size);
        spool.streamDiscarded(xid);
    }

    private static ByteBuffer withoutXid(ByteBuffer message) {
        ByteBuffer m = message.duplicate();
        ByteBuffer plain = ByteBuffer.allocate(m.remaining() - 4);
        plain.put(m.get());
        m.position(m.position() + 4);
        plain.put(m).flip();
        return plain;
    }
}
