package org.pgmigrate.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.engine.verify.VerificationReport;

/**
 * What one database's migration did.
 *
 * @param phases       wall time of each phase, in order
 * @param verification null when verification was off
 * @param notices      things a person should read (skipped settings, resume caveats)
 */
public record DatabaseReport(String sourceDatabase, String targetDatabase, List<TableStats> tables,
                             Map<Phase, Duration> phases, int sequences, long largeObjects, long largeObjectBytes,
                             VerificationReport verification, List<String> notices) {

    public DatabaseReport {
        tables = List.copyOf(tables);
        phases = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(phases));
        notices = List.copyOf(notices);
    }

    public long rows() {
        return tables.stream().mapToLong(TableStats::rows).sum();
    }

    public long bytes() {
        return tables.stream().mapToLong(TableStats::bytes).sum();
    }
}
