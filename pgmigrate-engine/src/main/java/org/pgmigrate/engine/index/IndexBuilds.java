package org.pgmigrate.engine.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.Index;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.checkpoint.CheckpointKeys;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.engine.snapshot.DatabaseSessions;
import org.pgmigrate.engine.threads.ContextThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds each loaded table's indexes on the target, all of them at once across {@code indexJobs} sessions, while
 * other tables are still copying. Primary keys and unique constraints are built as plain unique indexes first (so
 * they build in parallel with the table's other indexes, under a SHARE lock) and then attached with
 * {@code ADD CONSTRAINT ... USING INDEX}, which is instant once it has the table to itself. Before that the table is
 * analyzed, and vacuumed where autovacuum would vacuum it for its inserts ({@link AfterLoadVacuum}), so that
 * autovacuum finds nothing left to do on it.
 *
 * <p>Each index is checkpointed, and a resumed run also finds what is on the target ({@link BuiltEarlier}), so
 * nothing is built twice. Thread-safe: {@link #submit} is called from copy workers; {@link #finish} by the owner,
 * once.
 */
public final class IndexBuilds implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IndexBuilds.class);
    private static final Task STOP = (c, v) -> { };

    private final DatabaseSessions sessions;
    private final int jobs;
    private final String maintenanceWorkMem;
    /** VACUUM (ANALYZE) or ANALYZE each table once its indexes are built. */
    private final boolean analyze;
    /** The partitions whose ANALYZE their partitioned table's, after post-data, does ({@link LateStatistics}). */
    private final Predicate<Table> analyzedWithParent;
    private final String database;
    private final ProgressListener listener;
    private final CheckpointStore checkpoints;
    private final Cancellation stop = new Cancellation();
    private final Runnable unlink;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final AtomicReference<RuntimeException> firstFailure = new AtomicReference<>();
    private final List<Thread> workers = new ArrayList<>();
    private final List<TableStats> finished = new ArrayList<>();
    /** Queued or running tasks; {@link #finish} waits for zero (a finishing build may still queue its attach). */
    private int outstanding;
    /** Read by the first worker, before any task runs. */
    private volatile BuiltEarlier builtEarlier;

    /** Work that runs on a worker's target session. */
    private interface Task {
        void run(Connection target, AfterLoadVacuum vacuum) throws SQLException;
    }

    /**
     * @param analyze VACUUM (ANALYZE) or ANALYZE each table once its indexes are built ({@link AfterLoadVacuum});
     *                off leaves both to autovacuum (the user's {@code --skip-analyze} or
     *                {@code azure.migration_skip_analyze}: no pass over the tables)
     * @param analyzedWithParent the partitions left to their partitioned table's ANALYZE, which analyzes them too: only
     *                           vacuumed here, where due
     */
    public IndexBuilds(DatabaseSessions sessions, int jobs, String maintenanceWorkMem, boolean analyze,
                       Predicate<Table> analyzedWithParent, String database, ProgressListener listener,
                       CheckpointStore checkpoints, Cancellation cancel) {
        this.sessions = sessions;
        this.jobs = jobs;
        this.maintenanceWorkMem = maintenanceWorkMem;
        this.analyze = analyze;
        this.analyzedWithParent = analyzedWithParent;
        this.database = database;
        this.listener = listener;
        this.checkpoints = checkpoints;
        this.unlink = cancel.onCancel(() -> stop.cancel("canceled"));
    }

    /** Starts the workers; each opens its own target session. */
    public void start() {
        for (int i = 1; i <= jobs; i++) {
            Thread t = ContextThreads.newThread("pgmigrate-index-" + database + "-" + i, this::work);
            workers.add(t);
            t.start();
        }
    }

    /** Queues the builds of a loaded table; returns at once. */
    public void submit(Table table, List<Index> indexes, TableStats copied) {
        String finishedKey = CheckpointKeys.of("indexes", database, table.schema(), table.name());
        if (checkpoints.isDone(finishedKey)) {
            record(copied);
            return;
        }
        long started = System.nanoTime();
        List<Index> builds = indexes.stream().filter(i -> i.constraint() == null || !i.constraint().buildsItsIndex()).toList();
        AtomicInteger remaining = new AtomicInteger(builds.size());
        // The statistics come before the constraints: VACUUM and ANALYZE share the table with readers (the
        // verification reads it back from when its copy ends), where ADD CONSTRAINT must wait for them to finish. But
        // after an exclusion constraint, which builds its own index, so that ANALYZE sees that index's expressions.
        boolean statisticsFirst = indexes.stream().noneMatch(i -> i.constraint() != null && i.constraint().buildsItsIndex());
        Task attach = (target, vacuum) -> {
            if (statisticsFirst) {
                analyze(target, vacuum, table, copied.rows());
            }
            attachConstraints(target, table, indexes);
            if (!statisticsFirst) {
                analyze(target, vacuum, table, copied.rows());
            }
            checkpoints.markRedoableDone(finishedKey); // redone: constraints found attached, the statistics again
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            listener.indexesBuilt(database, table.displayName(), indexes.size(), took);
            record(copied.withIndexTime(took));
        };
        if (builds.isEmpty()) {
            enqueue(attach);
            return;
        }
        for (Index index : builds) {
            enqueue((target, vacuum) -> {
                build(target, index);
                if (remaining.decrementAndGet() == 0) {
                    enqueue(attach);
                }
            });
        }
    }

    /** Waits for every submitted build; returns the tables' stats with their index times. Throws the first failure. */
    public List<TableStats> finish() {
        try {
            synchronized (this) {
                while (outstanding > 0 && firstFailure.get() == null && !stop.isCanceled()) {
                    wait();
                }
            }
            for (int i = 0; i < workers.size(); i++) {
                queue.add(STOP);
            }
            for (Thread t : workers) {
                t.join();
            }
        } catch (InterruptedException e) {
            stop.cancel("interrupted");
            Thread.currentThread().interrupt();
            throw new EngineException(EngineError.CANCELED, "Interrupted while building indexes of " + database, e);
        } finally {
            unlink.run();
        }
        if (firstFailure.get() != null) {
            throw firstFailure.get();
        }
        synchronized (finished) {
            return List.copyOf(finished);
        }
    }

    /** Stops the workers without waiting for queued builds (after a copy failure). */
    @Override
    public void close() {
        stop.cancel("stopped");
        queue.clear();
        for (int i = 0; i < workers.size(); i++) {
            queue.add(STOP);
        }
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        unlink.run();
    }

    private void work() {
        try (Connection target = sessions.target("index")) {
            Runnable unregister = stop.cancelStatementsOn(target);
            try (Statement s = target.createStatement()) {
                s.execute("SET maintenance_work_mem = " + Identifiers.literal(maintenanceWorkMem));
            }
            AfterLoadVacuum vacuum = AfterLoadVacuum.of(target);
            readBuiltEarlier(target);
            try {
                // Queued work is drained even after STOP was queued: STOPs come last, after every build.
                for (Task task; (task = queue.take()) != STOP; ) {
                    try {
                        if (!stop.isCanceled()) {
                            task.run(target, vacuum);
                        }
                    } finally {
                        taskDone();
                    }
                }
            } finally {
                unregister.run();
            }
        } catch (SQLException e) {
            fail(new EngineException(stop.isCanceled() ? EngineError.CANCELED : EngineError.INDEX_BUILD_FAILED,
                    "Building indexes in database " + database + " failed: " + e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new EngineException(EngineError.CANCELED, "Interrupted while building indexes", e));
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void build(Connection target, Index index) throws SQLException {
        String key = CheckpointKeys.of("index", database, index.schema(), index.name());
        if (checkpoints.isDone(key) || builtEarlier.index(index.schema(), index.name())) {
            return;
        }
        long started = System.nanoTime();
        try (Statement s = target.createStatement()) {
            s.execute(index.definition());
        } catch (SQLException e) {
            if (madeMeanwhile(e, () -> indexExists(target, index))) {
                return; // made since the phase started, by something else: as if found built
            }
            throw new SQLException("CREATE INDEX " + index.schema() + "." + index.name() + ": " + e.getMessage(),
                    e.getSQLState(), e);
        }
        checkpoints.markRedoableDone(key); // redone: the index is found built
        log.debug("Built index {}.{} in {} ms", index.schema(), index.name(), (System.nanoTime() - started) / 1_000_000);
    }

    private void analyze(Connection target, AfterLoadVacuum vacuum, Table table, long rows) throws SQLException {
        if (analyze) {
            // VACUUM refuses to run in a transaction block: the index sessions stay in autocommit.
            Optional<String> statement = vacuum.statement(target, table, rows, !analyzedWithParent.test(table));
            if (statement.isPresent()) {
                execute(target, statement.get());
            } else {
                log.debug("{}: nothing to vacuum or analyze now", table.displayName());
            }
        }
    }

    private void attachConstraints(Connection target, Table table, List<Index> indexes) throws SQLException {
        for (Index index : indexes) {
            Index.Constraint c = index.constraint();
            if (c != null && !builtEarlier.constraint(table, c.name())) {
                String sql = "ALTER TABLE ONLY " + table.qualifiedName() + " ADD CONSTRAINT " + Identifiers.quote(c.name())
                        + (c.buildsItsIndex() ? " " + c.definition() : switch (c.type()) {
                            case 'p' -> " PRIMARY KEY USING INDEX " + Identifiers.quote(index.name()) + deferrable(c);
                            case 'u' -> " UNIQUE USING INDEX " + Identifiers.quote(index.name()) + deferrable(c);
                            default -> throw new IllegalStateException("constraint type " + c.type() + " without a definition");
                        });
                try {
                    execute(target, sql);
                } catch (SQLException e) {
                    if (!madeMeanwhile(e, () -> constraintExists(target, table, c.name()))) {
                        throw e;
                    } // made since the phase started, by something else: as if found attached
                }
            }
            if (index.replicaIdentity()) {
                execute(target, "ALTER TABLE ONLY " + table.qualifiedName() + " REPLICA IDENTITY USING INDEX "
                        + Identifiers.quote(c != null ? c.name() : index.name()));
            }
            if (index.clustered()) {
                execute(target, "ALTER TABLE " + table.qualifiedName() + " CLUSTER ON "
                        + Identifiers.quote(c != null ? c.name() : index.name()));
            }
        }
    }

    private interface Lookup {
        boolean exists() throws SQLException;
    }

    /** Whether an object whose creation failed exists after all; a failed lookup is added to {@code failure}. */
    private static boolean madeMeanwhile(SQLException failure, Lookup lookup) {
        try {
            return lookup.exists();
        } catch (SQLException e) {
            failure.addSuppressed(e);
            return false;
        }
    }

    private synchronized void readBuiltEarlier(Connection target) throws SQLException {
        if (builtEarlier == null) {
            builtEarlier = BuiltEarlier.read(target);
        }
    }

    private static String deferrable(Index.Constraint c) {
        return c.deferrable() ? (c.initiallyDeferred() ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE") : "";
    }

    private static void execute(Connection target, String sql) throws SQLException {
        try (Statement s = target.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new SQLException(sql + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    private static boolean indexExists(Connection target, Index index) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, index.schema());
            ps.setString(2, index.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean constraintExists(Connection target, Table table, String name) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = ?::regclass"
                + " AND conname = ?")) {
            ps.setString(1, table.qualifiedName());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private synchronized void enqueue(Task task) {
        outstanding++;
        queue.add(task);
    }

    private synchronized void taskDone() {
        if (--outstanding == 0) {
            notifyAll();
        }
    }

    private void record(TableStats stats) {
        synchronized (finished) {
            finished.add(stats);
        }
    }

    private void fail(RuntimeException e) {
        if (firstFailure.compareAndSet(null, e)) {
            stop.cancel("stopped after an index build failed");
        }
        synchronized (this) {
            notifyAll();
        }
    }
}
