package org.pgmigrate.service.migration;

/**
 * A database's full load, by name: its tables by state, and the rows and bytes copied (with the bytes expected in
 * all, an estimate until the copy ends). Build it from {@link #NONE} with the named withers, so that two counters
 * cannot be swapped by position. Immutable.
 */
public record FullLoadProgress(long queuedTables, long erroredTables, long loadingTables, long completedTables,
                               long copiedRows, long copiedBytes, long totalBytes) {

    public static final FullLoadProgress NONE = new FullLoadProgress(0, 0, 0, 0, 0, 0, 0);

    public FullLoadProgress withQueuedTables(long tables) {
        return new FullLoadProgress(tables, erroredTables, loadingTables, completedTables, copiedRows, copiedBytes,
                totalBytes);
    }

    public FullLoadProgress withErroredTables(long tables) {
        return new FullLoadProgress(queuedTables, tables, loadingTables, completedTables, copiedRows, copiedBytes,
                totalBytes);
    }

    public FullLoadProgress withLoadingTables(long tables) {
        return new FullLoadProgress(queuedTables, erroredTables, tables, completedTables, copiedRows, copiedBytes,
                totalBytes);
    }

    public FullLoadProgress withCompletedTables(long tables) {
        return new FullLoadProgress(queuedTables, erroredTables, loadingTables, tables, copiedRows, copiedBytes,
                totalBytes);
    }

    public FullLoadProgress withCopiedRows(long rows) {
        return new FullLoadProgress(queuedTables, erroredTables, loadingTables, completedTables, rows, copiedBytes,
                totalBytes);
    }

    public FullLoadProgress withCopiedBytes(long bytes) {
        return new FullLoadProgress(queuedTables, erroredTables, loadingTables, completedTables, copiedRows, bytes,
                totalBytes);
    }

    public FullLoadProgress withTotalBytes(long bytes) {
        return new FullLoadProgress(queuedTables, erroredTables, loadingTables, completedTables, copiedRows,
                copiedBytes, bytes);
    }
}
