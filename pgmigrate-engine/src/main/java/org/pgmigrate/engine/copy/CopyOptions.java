package org.pgmigrate.engine.copy;

/**
 * How the data phase runs.
 *
 * @param tableJobs            parallel COPY sessions (each one on the source and one on the target)
 * @param indexJobs            parallel index builds on the target
 * @param splitThresholdBytes  tables larger than this are copied in parts by several sessions; 0 never splits
 * @param maxPartsPerTable     upper bound on the parts of one table
 * @param format               COPY format policy
 * @param maintenanceWorkMem   maintenance_work_mem of index builds, e.g. "512MB"
 */
public record CopyOptions(int tableJobs, int indexJobs, long splitThresholdBytes, int maxPartsPerTable,
                          CopyFormat format, String maintenanceWorkMem) {

    public CopyOptions {
        if (tableJobs < 1 || tableJobs > 256) {
            throw new IllegalArgumentException("table jobs must be 1 to 256, was " + tableJobs);
        }
        if (indexJobs < 1 || indexJobs > 256) {
            throw new IllegalArgumentException("index jobs must be 1 to 256, was " + indexJobs);
        }
        if (splitThresholdBytes < 0) {
            throw new IllegalArgumentException("split threshold must not be negative, was " + splitThresholdBytes);
        }
        if (maxPartsPerTable < 1) {
            throw new IllegalArgumentException("max parts per table must be at least 1, was " + maxPartsPerTable);
        }
    }

    /**
     * 4 table jobs, 2 index jobs, split above 1 GB into at most 64 parts, AUTO format. Index builds overlap the copy
     * and each may start the server's parallel maintenance workers, so fewer of them at once oversubscribe less.
     */
    public static CopyOptions defaults() {
        return new CopyOptions(4, 2, 1L << 30, 64, CopyFormat.AUTO, "512MB");
    }

    public CopyOptions withJobs(int tables, int indexes) {
        return new CopyOptions(tables, indexes, splitThresholdBytes, maxPartsPerTable, format, maintenanceWorkMem);
    }

    public CopyOptions withSplitThreshold(long bytes) {
        return new CopyOptions(tableJobs, indexJobs, bytes, maxPartsPerTable, format, maintenanceWorkMem);
    }

    public CopyOptions withFormat(CopyFormat f) {
        return new CopyOptions(tableJobs, indexJobs, splitThresholdBytes, maxPartsPerTable, f, maintenanceWorkMem);
    }
}
