package org.pgmigrate.engine.progress;

import java.time.Duration;

/**
 * What copying one table took. {@code table} is the qualified, quoted name. {@code rows} and {@code bytes} count the
 * whole table, the parts earlier runs copied (a resumed migration) included; {@code rowsThisRun} and
 * {@code bytesThisRun} count what this run copied.
 */
public record TableStats(String table, long rows, long bytes, int parts, Duration copyTime, Duration indexTime,
                         long rowsThisRun, long bytesThisRun) {

    /** A table this run copied whole. */
    public TableStats(String table, long rows, long bytes, int parts, Duration copyTime, Duration indexTime) {
        this(table, rows, bytes, parts, copyTime, indexTime, rows, bytes);
    }

    public TableStats withIndexTime(Duration time) {
        return new TableStats(table, rows, bytes, parts, copyTime, time, rowsThisRun, bytesThisRun);
    }

    /** Whether earlier runs copied some of this table. */
    public boolean resumed() {
        return rowsThisRun != rows || bytesThisRun != bytes;
    }
}
