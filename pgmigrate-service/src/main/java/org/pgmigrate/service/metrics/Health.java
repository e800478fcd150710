package org.pgmigrate.service.metrics;

import java.util.Map;
import java.util.function.Supplier;
import org.pgmigrate.service.migration.MigrationState;

/** {@code /healthz}: UP when the store answers. Thread-safe. */
public final class Health {

    private final Supplier<Map<MigrationState, Long>> store;

    public Health(Supplier<Map<MigrationState, Long>> store) {
        this.store = store;
    }

    /** The status and a short JSON body; {@code healthy} false gives a 503. */
    public record Report(boolean healthy, String json) {
    }

    public Report check() {
        try {
            Map<MigrationState, Long> counts = store.get();
            long active = counts.entrySet().stream().filter(e -> !e.getKey().isTerminal()).mapToLong(Map.Entry::getValue).sum();
            return new Report(true, "{\"status\":\"UP\",\"store\":\"UP\",\"activeMigrations\":" + active + "}");
        } catch (RuntimeException e) {
            return new Report(false, "{\"status\":\"DOWN\",\"store\":\"DOWN\"}");
        }
    }
}
