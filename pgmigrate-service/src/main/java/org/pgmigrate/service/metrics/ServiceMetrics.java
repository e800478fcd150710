package org.pgmigrate.service.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.service.migration.MigrationState;

/**
 * The service's Prometheus metrics: {@code pgmigrate_migrations{state}} (from the store), the totals
 * {@code pgmigrate_rows_copied_total}, {@code pgmigrate_bytes_copied_total}, {@code pgmigrate_tables_copied_total},
 * {@code pgmigrate_tables_failed_total}, and the copy throughput {@code pgmigrate_copy_bytes_per_second} and
 * {@code pgmigrate_copy_rows_per_second} over the last 10 seconds. {@link #progressListener()} is fed by every
 * database job. Every metric is labelled {@code node} with this node's name: with several nodes on one store, each
 * node is scraped on its own ({@code pgmigrate_migrations} counts the whole store's migrations on every node).
 * Thread-safe.
 */
public final class ServiceMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter rows;
    private final Counter bytes;
    private final Counter tablesCopied;
    private final Counter tablesFailed;
    private final Throughput rowRate = new Throughput(Duration.ofSeconds(10));
    private final Throughput byteRate = new Throughput(Duration.ofSeconds(10));
    private final CachedCounts states;

    /** @param node this node's name: every metric carries it as the label {@code node} */
    public ServiceMetrics(Supplier<Map<MigrationState, Long>> countByState, String node) {
        registry.config().commonTags("node", node);
        this.states = new CachedCounts(countByState, Duration.ofSeconds(1));
        for (MigrationState state : MigrationState.values()) {
            Gauge.builder("pgmigrate.migrations", () -> states.get().getOrDefault(state, 0L))
                    .description("Migrations by state").tag("state", state.wireName()).register(registry);
        }
        rows = Counter.builder("pgmigrate.rows.copied").description("Rows copied by full loads").register(registry);
        bytes = Counter.builder("pgmigrate.bytes.copied").description("Bytes copied by full loads")
                .baseUnit("bytes").register(registry);
        tablesCopied = Counter.builder("pgmigrate.tables.copied").description("Tables fully copied").register(registry);
        tablesFailed = Counter.builder("pgmigrate.tables.failed").description("Tables whose copy failed").register(registry);
        Gauge.builder("pgmigrate.copy.bytes.per.second", byteRate::perSecond)
                .description("Copy throughput over the last 10 seconds").register(registry);
        Gauge.builder("pgmigrate.copy.rows.per.second", rowRate::perSecond)
                .description("Rows copied per second over the last 10 seconds").register(registry);
    }

    /** Counts what every database job copies. */
    public ProgressListener progressListener() {
        return new ProgressListener() {
            @Override
            public void rowsCopied(String database, String table, long newRows, long newBytes) {
                rows.increment(newRows);
                bytes.increment(newBytes);
                rowRate.add(newRows);
                byteRate.add(newBytes);
            }

            @Override
            public void tableCompleted(String database, TableStats stats) {
                tablesCopied.increment();
            }

            @Override
            public void tableFailed(String database, String table, String message) {
                tablesFailed.increment();
            }
        };
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    /** Rows copied in total since start, for tests and the health view. */
    public double rowsCopied() {
        return rows.count();
    }
}
