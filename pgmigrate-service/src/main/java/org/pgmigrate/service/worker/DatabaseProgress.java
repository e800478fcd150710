package org.pgmigrate.service.worker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.engine.verify.VerificationReport;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.FullLoadProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live counters of one database's run, fed by the engine's threads and read by the progress flusher, which writes
 * {@link #applyTo} into the store every second; it forwards every event to {@code next} (the metrics).
 * Thread-safe and lock-free: the engine calls it on the copy path.
 */
final class DatabaseProgress implements ProgressListener {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseProgress.class);

    private final ProgressListener next;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong loading = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong errored = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong totalBytes = new AtomicLong();
    private final AtomicReference<String> operation = new AtomicReference<>("Starting");
    private final java.util.Set<String> started = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile VerificationReport verification;

    DatabaseProgress(ProgressListener next) {
        this.next = next;
    }

    /**
     * {@code details} with this run's counters and current operation. {@code totalBytes} is an estimate until the copy
     * ends, and then the bytes copied ({@code copiedBytes}); {@code copiedRows} and {@code copiedBytes} count what
     * earlier runs of a resumed copy copied too.
     */
    DatabaseDetails applyTo(DatabaseDetails d) {
        return d.withOperation(operation.get()).withFullLoad(FullLoadProgress.NONE.withQueuedTables(queued.get())
                .withErroredTables(errored.get()).withLoadingTables(loading.get()).withCompletedTables(completed.get())
                .withCopiedRows(rows.get()).withCopiedBytes(bytes.get()).withTotalBytes(totalBytes.get()));
    }

    @Override
    public void phaseStarted(String database, Phase phase) {
        operation.set(describe(phase));
        next.phaseStarted(database, phase);
    }

    @Override
    public void phaseCompleted(String database, Phase phase, Duration took) {
        if (phase == Phase.COPY) {
            // The total was an estimate (the tables' size on disk); now the copy's own count is known: it is exact.
            totalBytes.set(bytes.get());
        }
        next.phaseCompleted(database, phase, took);
    }

    @Override
    public void tablesQueued(String database, int tables, long total) {
        queued.set(tables);
        totalBytes.set(total);
        next.tablesQueued(database, tables, total);
    }

    @Override
    public void copiedEarlier(String database, long earlierRows, long earlierBytes) {
        // A resumed copy: the database's counters include what the earlier runs copied.
        rows.addAndGet(earlierRows);
        bytes.addAndGet(earlierBytes);
        next.copiedEarlier(database, earlierRows, earlierBytes);
    }

    @Override
    public void tableStarted(String database, String table) {
        started.add(table);
        queued.updateAndGet(q -> Math.max(0, q - 1));
        loading.incrementAndGet();
        next.tableStarted(database, table);
    }

    @Override
    public void rowsCopied(String database, String table, long newRows, long newBytes) {
        rows.addAndGet(newRows);
        bytes.addAndGet(newBytes);
        next.rowsCopied(database, table, newRows, newBytes);
    }

    @Override
    public void tableCompleted(String database, TableStats stats) {
        // a table an earlier run finished is reported completed without being started
        (started.remove(stats.table()) ? loading : queued).updateAndGet(n -> Math.max(0, n - 1));
        completed.incrementAndGet();
        next.tableCompleted(database, stats);
    }

    @Override
    public void tableFailed(String database, String table, String message) {
        loading.updateAndGet(l -> Math.max(0, l - 1));
        errored.incrementAndGet();
        next.tableFailed(database, table, message);
    }

    @Override
    public void indexesBuilt(String database, String table, int indexes, Duration took) {
        next.indexesBuilt(database, table, indexes, took);
    }

    @Override
    public void verified(String database, VerificationReport report) {
        verification = report;
        next.verified(database, report);
    }

    /** The engine's verification of this database, or null before it ran. */
    VerificationReport verification() {
        return verification;
    }

    @Override
    public void notice(String database, String message) {
        // The engine logs notices at INFO only and leaves presenting them to its caller: here, the service log.
        LOG.warn("Database {}: {}", database, message);
        next.notice(database, message);
    }

    /** {@code migrationOperation}: what the database is doing now, in words. */
    static String describe(Phase phase) {
        return switch (phase) {
            case INSPECT -> "Inspecting source";
            case SNAPSHOT -> "Taking snapshot";
            case CREATE_DATABASE -> "Creating target database";
            case PRE_DATA -> "Restoring schema";
            case COPY -> "Copying data";
            case INDEXES -> "Building indexes";
            case POST_DATA -> "Restoring constraints and triggers";
            case SEQUENCES -> "Setting sequences";
            case LARGE_OBJECTS -> "Copying large objects";
            case ANALYZE -> "Analyzing";
            case VERIFY -> "Verifying";
            case REPLICATION -> "Replicating changes";
            case CUTOVER -> "Cutting over";
            // a phase added to the engine later still shows, by its name
            default -> phase.name().charAt(0) + phase.name().substring(1).toLowerCase().replace('_', ' ');
        };
    }
}
