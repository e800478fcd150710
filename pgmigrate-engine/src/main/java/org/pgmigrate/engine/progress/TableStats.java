package org.pgmigrate.engine.progress;

import java.time.Duration;

/** What copying one table took. {@code table} is the qualified, quoted name. */
public record TableStats(String table, long rows, long bytes, int parts, Duration copyTime, Duration indexTime) {

    public TableStats withIndexTime(Duration time) {
        return new TableStats(table, rows, bytes, parts, copyTime, time);
    }
}
