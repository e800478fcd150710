package org.pgmigrate.service.worker;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.precheck.PremigrationValidator;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationEvents;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.migration.SealedSecrets;
import org.pgmigrate.service.server.EndpointResolver;
import org.pgmigrate.service.server.RestartCommandPolicy;
import org.pgmigrate.service.store.Lease;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.SourceCleanupStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs migrations in the background on this node, within its {@link JobLimits}. Every poll interval (and at once
 * when the API reports a change) it starts due migration windows and claims, with a lease, each active migration
 * that has work and is not running here, up to {@code migrations} at a time. Databases of all runs share one pool
 * of {@code databaseJobs} threads. Live counters are written to the store every second.
 *
 * <p>At start it releases the leases this node held before a crash, so a killed service resumes its migrations at
 * once. On a thread of its own it retries, at start and every few poll intervals, undoing what online migrations
 * left changed on their sources ({@link SourceCleanups}). {@link #close()} stops in order: no new claims, engines stopped with their state kept (they resume at the
 * next start), executors shut down and awaited.
 *
 * <p>Thread-safe.
 */
public final class Scheduler implements MigrationEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /**
     * How long a claim on a migration lasts unless renewed (every third of it): a node that dies loses its migrations
     * to the other nodes within this time plus a poll interval.
     */
    static final Duration LEASE = Duration.ofSeconds(15);

    private final MigrationStore store;
    private final WorkerContext ctx;
    private final Duration pollInterval;
    private final ScheduledExecutorService ticker;
    private final ExecutorService migrations;
    private final ExecutorService databaseJobs;
    private final ScheduledExecutorService cleanupRetries;
    private final Map<String, MigrationRun> running = new ConcurrentHashMap<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile boolean closed;

    /**
     * @param workRoot where the engine keeps per-database files (schema archives), one directory per migration
     * @param nodeId   stable across restarts of this node, so that it takes back its own leases at once
     * @param restartCommands whether a source's registered restart command may run
     */
    public Scheduler(MigrationStore store, SourceCleanupStore sourceCleanups, SealedSecrets secrets,
                     EndpointResolver resolver, EngineSettings engine, ProgressListener metrics, JobLimits limits,
                     Duration pollInterval, Clock clock, String nodeId, Path workRoot,
                     RestartCommandPolicy restartCommands, ReplicationLimits replication) {
        this(store, sourceCleanups, secrets, resolver, new EngineMigrator(engine),
                new PremigrationValidator(engine.connector(), engine.toolSearchPath()), engine.connector(), metrics,
                limits, pollInterval, clock, nodeId, workRoot, restartCommands, replication);
    }

    Scheduler(MigrationStore store, SourceCleanupStore sourceCleanups, SealedSecrets secrets, EndpointResolver resolver,
              DatabaseMigrator migrator, PremigrationValidator validator, PgConnector connector,
              ProgressListener metrics, JobLimits limits, Duration pollInterval, Clock clock, String nodeId,
              Path workRoot, RestartCommandPolicy restartCommands, ReplicationLimits replication) {
        this.store = store;
        this.pollInterval = pollInterval;
        this.ticker = Executors.newSingleThreadScheduledExecutor(named("pgmigrate-scheduler"));
        this.migrations = new ThreadPoolExecutor(limits.migrations(), limits.migrations(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.migrations()), named("pgmigrate-migration"));
        this.databaseJobs = new ThreadPoolExecutor(limits.databaseJobs(), limits.databaseJobs(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.migrations() * 50), named("pgmigrate-db"));
        this.cleanupRetries = Executors.newSingleThreadScheduledExecutor(named("pgmigrate-source-cleanup"));
        SourceCleanups cleanups = new SourceCleanups(store, sourceCleanups, secrets, resolver, connector, clock,
                cleanupInterval(pollInterval));
        this.ctx = new WorkerContext(store, secrets, resolver, migrator, new Prerequisites(new PgConnector()),
                new PremigrationValidation(validator), databaseJobs, metrics, limits, clock, nodeId, LEASE, workRoot,
                restartCommands, replication, cleanups);
    }

    /** Ten poll intervals, within 2 s to 30 s: often enough that a leftover slot goes soon after its source is back. */
    static Duration cleanupInterval(Duration pollInterval) {
        Duration d = pollInterval.multipliedBy(10);
        return d.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2)
                : d.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : d;
    }

    public void start() {
        int released = store.releaseLeases(ctx.nodeId());
        if (released > 0) {
            LOG.info("Resuming {} migration(s) that this node was running when it stopped.", released);
        }
        ticker.scheduleWithFixedDelay(this::tick, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        ticker.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
        long every = ctx.cleanups().interval().toMillis();
        cleanupRetries.scheduleWithFixedDelay(this::retryCleanups, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Undoes what ended online migrations left on their sources (never what a replication here still uses). */
    private void retryCleanups() {
        if (closed) {
            return;
        }
        ctx.cleanups().retry((migrationId, db) -> {
            MigrationRun run = running.get(migrationId);
            return run != null && (db.isEmpty() || run.replicates(db));
        });
    }

    /** Look for work now rather than at the next poll. */
    public void wake() {
        if (!closed && wakePending.compareAndSet(false, true)) {
            try {
                ticker.execute(() -> {
                    wakePending.set(false);
                    tick();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                wakePending.set(false); // closing
            }
        }
    }

    @Override
    public void changed(Migration migration) {
        MigrationRun run = running.get(migration.migrationId());
        if (run != null) {
            run.wake(); // e.g. a cutover trigger, seen at once rather than at the run's next poll
        }
        wake();
    }

    @Override
    public void cancelRequested(Migration migration) {
        MigrationRun run = running.get(migration.migrationId());
        if (run != null) {
            run.cancelRequested();
        }
        wake();
    }

    /** How many migrations run on this node now. */
    public int runningMigrations() {
        return running.size();
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            Instant now = ctx.clock().instant();
            for (Migration m : store.listActive()) {
                if (running.containsKey(m.migrationId())) {
                    continue;
                }
                if (m.status().equals(MigrationStatus.WINDOW) && windowOpen(m, now)) {
                    store.update(m.migrationId(), x -> x.status().equals(MigrationStatus.WINDOW)
                            ? x.moveTo(MigrationStatus.PREREQUISITES) : x);
                    LOG.info("Migration {}: its window opened; starting.", m.key().name());
                } else if (!MigrationRun.hasWork(m)) {
                    continue;
                }
                if (running.size() >= ctx.limits().migrations()) {
                    return;
                }
                claim(m, now);
            }
        } catch (RuntimeException e) {
            LOG.warn("Scheduler pass failed (retrying in {} ms): {}", pollInterval.toMillis(), e.toString());
        } catch (Error e) {
            // An Error thrown out of a scheduled task cancels every later pass without a word: no migration would
            // ever be picked up again. Say it loudly and keep the passes coming.
            LOG.error("Scheduler pass failed with {} (retrying in {} ms)", e, pollInterval.toMillis(), e);
        }
    }

    private void claim(Migration m, Instant now) {
        Optional<Lease> lease = store.claim(m.migrationId(), ctx.nodeId(), LEASE);
        if (lease.isEmpty()) {
            return; // another node works on it
        }
        LOG.debug("Migration {}: claimed by node {} (fencing token {}).", m.key().name(), ctx.nodeId(),
                lease.get().token());
        MigrationRun run = new MigrationRun(lease.get(), ctx);
        running.put(m.migrationId(), run);
        migrations.execute(() -> {
            try {
                run.run();
            } finally {
                running.remove(m.migrationId());
                if (!closed) {
                    wake(); // it may have moved to a state with more work (or freed a slot)
                    try {
                        cleanupRetries.execute(this::retryCleanups); // it may have left something on its source
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // closing: the next start retries
                    }
                }
            }
        });
    }

    private void flush() {
        for (MigrationRun run : running.values()) {
            try {
                run.flush();
            } catch (RuntimeException e) {
                LOG.warn("Cannot record the progress of migration {}: {}", run.migrationId(), e.toString());
            }
        }
    }

    private static boolean windowOpen(Migration m, Instant now) {
        Instant start = m.spec().migrationWindowStartTimeInUtc();
        return m.spec().startDataMigration() || start == null || !start.isAfter(now);
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdown();
        cleanupRetries.shutdown();
        running.values().forEach(MigrationRun::shutdown);
        migrations.shutdown();
        try {
            if (!migrations.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("Migrations did not stop within 60 s; interrupting them.");
                migrations.shutdownNow();
            }
            databaseJobs.shutdown();
            if (!databaseJobs.awaitTermination(10, TimeUnit.SECONDS)) {
                databaseJobs.shutdownNow();
            }
            ticker.awaitTermination(5, TimeUnit.SECONDS);
            if (!cleanupRetries.awaitTermination(15, TimeUnit.SECONDS)) {
                cleanupRetries.shutdownNow(); // what it did not finish is still recorded: the next start retries
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            migrations.shutdownNow();
            databaseJobs.shutdownNow();
        }
        store.releaseLeases(ctx.nodeId());
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
