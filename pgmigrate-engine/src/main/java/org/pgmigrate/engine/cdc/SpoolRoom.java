package org.pgmigrate.engine.cdc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.pgmigrate.engine.cdc.spool.Spool;

/**
 * Whether the spool has room for more changes, for the receiver: capture pauses (instead of failing, and instead of
 * filling the disk) when the spool holds {@code limit} bytes, or when its file system has less than {@code reserve}
 * free, and resumes once applying has made room. Nothing is lost meanwhile: the source keeps the WAL for the slot,
 * which is why the pause message says so. Receiver thread only.
 */
final class SpoolRoom {

    private static final long SPACE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** After a write failed for lack of space, wait for this much free (a quarter of a small disk) to try again. */
    private static final long DISK_FULL_MINIMUM_FREE = 64L << 20;

    /** Why capture cannot go on; thrown by the receiver's housekeeping, caught by its loop. */
    static final class NoRoom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoRoom(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Spool spool;
    private final long limit;
    private final long reserve;
    private final Supplier<Lsn> durablyApplied;
    private final String slot;
    private final Consumer<String> paused;
    private long spaceCheckedAt;
    private long usable = Long.MAX_VALUE;

    SpoolRoom(Spool spool, long limit, long reserve, Supplier<Lsn> durablyApplied, String slot, Consumer<String> paused) {
        this.spool = spool;
        this.limit = limit;
        this.reserve = reserve;
        this.durablyApplied = durablyApplied;
        this.slot = slot;
        this.paused = paused;
    }

    /**
     * Throws {@link NoRoom} when capture must pause. The size limit is checked only {@code betweenTransactions}, so a
     * transaction larger than the limit is never cut (it could never be applied otherwise); the file system's
     * reserve is checked always.
     */
    void check(boolean betweenTransactions) {
        long now = System.nanoTime();
        if (now - spaceCheckedAt >= SPACE_CHECK_NANOS) {
            usable = usableSpace();
            spaceCheckedAt = now;
        }
        if (usable < reserve) {
            throw new NoRoom("the file system of the change spool (" + spool.directory() + ") has only "
                    + size(usable) + " free, less than its reserve of " + size(reserve) + ".");
        }
        if (betweenTransactions && spool.sizeBytes() >= limit) {
            throw new NoRoom("the change spool in " + spool.directory() + " holds " + size(spool.sizeBytes())
                    + " of changes not yet applied, its limit of " + size(limit) + ".");
        }
    }

    /** True when {@code e}, from a spool write, means the disk is full (as opposed to, say, a permission problem). */
    static boolean isDiskFull(UncheckedIOException e) {
        String m = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        return m.contains("No space left on device") || m.contains("Disk quota exceeded");
    }

    /**
     * Reports capture paused for {@code reason} and waits until there is room again: under 90% of the limit (or
     * everything spooled is applied) and twice the reserve free. Returns false when {@code stopped} turns true.
     */
    boolean awaitRoom(String reason, boolean diskFull, BooleanSupplier stopped) {
        paused.accept("Capture paused: " + reason + " It resumes by itself once applying to the target has made room."
                + " Meanwhile the source keeps its WAL for replication slot " + slot + ", so nothing is lost, but the"
                + " source's pg_wal grows: free space for the spool, or raise its limit (serve --spool-limit), if the"
                + " target is down or slow.");
        long needFree = Math.max(2 * reserve, diskFull ? Math.min(DISK_FULL_MINIMUM_FREE, totalSpace() / 4) : 0);
        while (!stopped.getAsBoolean()) {
            LockSupport.parkNanos(POLL_NANOS);
            usable = usableSpace();
            spaceCheckedAt = System.nanoTime();
            boolean caughtUp = durablyApplied.get() != null && spool.highWater() != null
                    && durablyApplied.get().compareTo(spool.highWater()) >= 0;
            if ((spool.sizeBytes() < limit / 10 * 9 || caughtUp) && usable >= needFree) {
                paused.accept(null);
                return true;
            }
        }
        return false;
    }

    private long totalSpace() {
        try {
            return Files.getFileStore(spool.directory()).getTotalSpace();
        } catch (IOException e) {
            return DISK_FULL_MINIMUM_FREE * 4;
        }
    }

    private long usableSpace() {
        try {
            return Files.getFileStore(spool.directory()).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: the writes themselves will report a full disk
        }
    }

    private static String size(long bytes) {
        return org.pgmigrate.engine.progress.ByteUnits.format(bytes);
    }
}
