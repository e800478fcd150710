package org.pgmigrate.engine.copy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.checkpoint.CheckpointKeys;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.progress.ByteUnits;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.engine.snapshot.DatabaseSessions;
import org.pgmigrate.engine.threads.ContextThreads;
import org.pgmigrate.engine.verify.SourceDigests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data phase of one database: one queue of table parts, largest first, drained by {@code tableJobs} workers
 * ({@link CopyWorker}) that each hold a source session (inside the snapshot) and a target session, new ones after a
 * transient failure, which the worker retries. When a table's last part lands, {@code onTableLoaded} hears about it
 * at once, so its indexes build while other tables still copy. A {@link CopyStallWatch} cuts sessions stuck on a dead
 * link.
 *
 * <p>A part that fails for good stops the others (their statements are cancelled) and its error is the one reported.
 * Used once, by one thread, which blocks in {@link #run}.
 */
public final class DataCopy {

    private static final Logger log = LoggerFactory.getLogger(DataCopy.class);

    private final DatabaseSessions sessions;
    private final CopyOptions options;
    private final ServerVersion sourceVersion;
    private final ServerVersion targetVersion;
    private final String database;
    private final ProgressListener listener;
    private final CheckpointStore checkpoints;
    private final Cancellation cancel;
    private final Map<Long, TableProgress> progress = new ConcurrentHashMap<>();
    private final AtomicReference<RuntimeException> firstFailure = new AtomicReference<>();
    /** Small tables the target proved empty when planning: loaded by a plain COPY ({@link EmptyTargetTables}). */
    private Set<Long> emptyOnTarget = Set.of();

    private final String encoding;
    private final SourceDigests digests;

    /**
     * @param encoding the database's server encoding (both sides have the same): COPY sessions use it as client encoding
     * @param digests  receives a digest of the rows read from the source for each table all of whose parts this
     *                 run copies in binary, for verification; null when nothing verifies
     */
    public DataCopy(DatabaseSessions sessions, CopyOptions options, ServerVersion sourceVersion, ServerVersion targetVersion,
                    String database, String encoding, ProgressListener listener, CheckpointStore checkpoints,
                    Cancellation cancel, SourceDigests digests) {
        this.encoding = encoding;
        this.digests = digests;
        this.sessions = sessions;
        this.options = options;
        this.sourceVersion = sourceVersion;
        this.targetVersion = targetVersion;
        this.database = database;
        this.listener = listener;
        this.checkpoints = checkpoints;
        this.cancel = cancel;
    }

    /**
     * Copies every table's rows. {@code snapshot} is the holder's connection (plans are read in the snapshot).
     * Tables an earlier run finished are reported to {@code onTableLoaded} at once, without copying.
     */
    public void run(List<Table> tables, Connection snapshot, BiConsumer<Table, TableStats> onTableLoaded) {
        List<TablePart> pending = new ArrayList<>();
        PartPlanner planner = new PartPlanner(options, sourceVersion, checkpoints, database);
        try (Connection target = sessions.target("copy-plan")) {
            for (Table table : tables) {
                List<TablePart> parts = planner.plan(snapshot, table);
                List<TablePart> todo = unfinished(parts, target);
                TableProgress p = new TableProgress(table, parts.size(), todo.size());
                parts.stream().filter(part -> !todo.contains(part)).forEach(part -> p.doneEarlier(recordOf(part)));
                if (digests != null && todo.size() == parts.size()
                        && options.format().resolve(table, sourceVersion, targetVersion) == CopyFormat.BINARY) {
                    digests.expect(table, parts.size());
                }
                progress.put(table.oid(), p);
                pending.addAll(todo);
            }
            checkpoints.sync(); // the plans, one sync for all tables (PartPlanner)
            emptyOnTarget = EmptyTargetTables.among(target, pending.stream().filter(part -> part.of() == 1)
                    .map(TablePart::table).toList());
        } catch (SQLException e) {
            throw new EngineException(EngineError.COPY_FAILED, "Planning the copy of database " + database + " failed: "
                    + e.getMessage(), e);
        }
        long bytes = tables.stream().mapToLong(Table::bytes).sum();
        listener.tablesQueued(database, tables.size(), bytes);
        long earlierRows = progress.values().stream().mapToLong(TableProgress::earlierRows).sum();
        long earlierBytes = progress.values().stream().mapToLong(TableProgress::earlierBytes).sum();
        if (earlierRows > 0 || earlierBytes > 0) {
            listener.copiedEarlier(database, earlierRows, earlierBytes);
        }
        for (TableProgress p : progress.values()) {
            if (p.remaining() == 0) {
                TableStats done = p.stats();
                listener.tableCompleted(database, done);
                onTableLoaded.accept(p.table, done);
            }
        }
        PriorityBlockingQueue<TablePart> queue = new PriorityBlockingQueue<>(Math.max(1, pending.size()),
                Comparator.comparingLong(TablePart::estimatedBytes).reversed());
        queue.addAll(pending);
        log.info("Copying {} parts of {} tables ({}) with {} jobs", pending.size(), tables.size(), ByteUnits.format(bytes),
                Math.min(options.tableJobs(), Math.max(1, pending.size())));

        Cancellation stop = new Cancellation();
        Runnable unlink = cancel.onCancel(() -> stop.cancel("canceled"));
        int workers = Math.min(options.tableJobs(), Math.max(1, pending.size()));
        List<Thread> threads = new ArrayList<>();
        try (CopyStallWatch watch = new CopyStallWatch(sessions, database)) {
            watch.start();
            for (int i = 1; i <= workers && !pending.isEmpty(); i++) {
                Thread t = ContextThreads.newThread("pgmigrate-copy-" + database + "-" + i,
                        () -> work(queue, stop, watch, onTableLoaded));
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            stop.cancel("interrupted");
            Thread.currentThread().interrupt();
            throw new EngineException(EngineError.CANCELED, "Interrupted while copying " + database, e);
        } finally {
            unlink.run();
        }
        if (firstFailure.get() != null) {
            throw firstFailure.get();
        }
        cancel.throwIfCanceled();
    }

    private void work(PriorityBlockingQueue<TablePart> queue, Cancellation stop, CopyStallWatch watch,
                      BiConsumer<Table, TableStats> onTableLoaded) {
        try (CopyWorker worker = new CopyWorker(sessions, encoding, checkpoints, stop, watch,
                message -> listener.notice(database, message))) {
            for (TablePart part; !stop.isCanceled() && (part = queue.poll()) != null; ) {
                copyOne(worker, part, onTableLoaded);
            }
        } catch (RuntimeException e) {
            fail(e, stop);
        }
    }

    private void copyOne(CopyWorker worker, TablePart part, BiConsumer<Table, TableStats> onTableLoaded) {
        Table table = part.table();
        TableProgress p = progress.get(table.oid());
        if (p.start()) {
            listener.tableStarted(database, table.displayName());
        }
        CopyFormat format = options.format().resolve(table, sourceVersion, targetVersion);
        long started = System.nanoTime();
        CopyWorker.Copied copied;
        try {
            log.debug("Copying {} ({})", part.describe(), format);
            boolean provenEmpty = part.of() == 1 && emptyOnTarget.contains(table.oid());
            copied = worker.copy(part, format, partKey(part), provenEmpty, (r, b) -> {
                p.add(b);
                listener.rowsCopied(database, table.displayName(), r, b);
            }, () -> digests == null || format != CopyFormat.BINARY ? null : digests.newPart(table));
        } catch (CopyWorker.AttemptsFailed f) {
            if (cancel.isCanceled()) {
                throw new EngineException(EngineError.CANCELED, "Copy of " + part.describe() + " was canceled", f.failure());
            }
            if (f.failure() instanceof RuntimeException e && !PartRetry.isTransient(e)) {
                throw e;
            }
            listener.tableFailed(database, table.displayName(), f.description());
            throw new EngineException(EngineError.COPY_FAILED, "COPY of " + part.describe() + " failed after "
                    + p.rows() + " rows" + (f.attempts() > 1 ? " and " + f.attempts() + " attempts" : "") + ": "
                    + f.description(), f.failure());
        }
        if (copied.digest() != null) {
            digests.partCopied(table, copied.digest(), copied.rows());
        }
        // Redoable: without this record, a whole table is truncated and reloaded, and a range part's durable pending
        // record (written before its commit) tells whether its transaction committed.
        checkpoints.putRedoable(partKey(part), PartRecord.done(copied.rows(), copied.bytes()));
        p.partDone(copied.rows(), System.nanoTime() - started);
        if (p.remaining() == 0) {
            TableStats stats = p.stats();
            log.debug("Copied {}: {} rows, {} bytes in {} ms", table.displayName(), stats.rows(), stats.bytes(),
                    stats.copyTime().toMillis());
            listener.tableCompleted(database, stats);
            onTableLoaded.accept(table, stats);
        }
    }

    /**
     * Parts not yet known to be on the target. A part recorded pending ({@link PartRecord}) crashed around its
     * commit; the target's {@code txid_status} says whether that commit happened.
     */
    private List<TablePart> unfinished(List<TablePart> parts, Connection target) throws SQLException {
        List<TablePart> todo = new ArrayList<>();
        Map<TablePart, PartRecord> pending = new HashMap<>();
        for (TablePart part : parts) {
            Optional<PartRecord> record = checkpoints.get(partKey(part)).flatMap(PartRecord::parse);
            if (record.isEmpty()) {
                todo.add(part);
            } else if (!record.get().done()) {
                pending.put(part, record.get());
            }
        }
        for (Map.Entry<TablePart, PartRecord> e : pending.entrySet()) {
            if (CopyWorker.transactionStatus(target, e.getValue().xid()).filter("committed"::equals).isPresent()) {
                checkpoints.put(partKey(e.getKey()), e.getValue().asDone());
            } else {
                todo.add(e.getKey());
            }
        }
        return todo;
    }

    /** The record of a part an earlier run finished. */
    private PartRecord recordOf(TablePart part) {
        return checkpoints.get(partKey(part)).flatMap(PartRecord::parse).orElseThrow();
    }

    private String partKey(TablePart part) {
        return CheckpointKeys.of("part", database, part.table().schema(), part.table().name()) + "/" + part.number() + "of"
                + part.of();
    }

    private void fail(RuntimeException e, Cancellation stop) {
        if (firstFailure.compareAndSet(null, e)) {
            if (!(e instanceof EngineException ee && ee.error() == EngineError.CANCELED)) {
                log.debug("Stopping the other copy sessions after: {}", e.getMessage());
            }
            stop.cancel("stopped after another part failed");
        }
    }

    /** Progress of one table across its parts; shared by the workers copying its parts. */
    private static final class TableProgress {
        private final Table table;
        private final int parts;
        private int remaining;
        private boolean started;
        private long rows;
        private long bytes;
        /** What earlier runs copied of this table (their finished parts); the counts of old journals are unknown. */
        private long earlierRows;
        private long earlierBytes;
        private long copyNanos;
        private long firstStart;
        private long lastEnd;

        TableProgress(Table table, int parts, int remaining) {
            this.table = table;
            this.parts = parts;
            this.remaining = remaining;
        }

        synchronized boolean start() {
            if (firstStart == 0) {
                firstStart = System.nanoTime();
            }
            boolean first = !started;
            started = true;
            return first;
        }

        synchronized void doneEarlier(PartRecord record) {
            earlierRows += Math.max(0, record.rows());
            earlierBytes += Math.max(0, record.bytes());
        }

        synchronized long earlierRows() {
            return earlierRows;
        }

        synchronized long earlierBytes() {
            return earlierBytes;
        }

        synchronized void add(long partBytes) {
            bytes += partBytes;
        }

        synchronized void partDone(long partRows, long nanos) {
            rows += partRows;
            copyNanos += nanos;
            lastEnd = System.nanoTime();
            remaining--;
        }

        synchronized int remaining() {
            return remaining;
        }

        synchronized long rows() {
            return rows;
        }

        synchronized TableStats stats() {
            // Wall time from the first part's start to the last part's end: what the user waited for this table.
            Duration wall = started ? Duration.ofNanos(lastEnd - firstStart) : Duration.ZERO;
            return new TableStats(table.displayName(), earlierRows + rows, earlierBytes + bytes, parts, wall,
                    Duration.ZERO, rows, bytes);
        }
    }
}
