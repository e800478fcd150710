package org.pgmigrate.engine.verify;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.catalog.Sequence;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.catalog.TableSelection;
import org.pgmigrate.engine.objects.SequenceValues;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.snapshot.DatabaseSessions;
import org.pgmigrate.engine.threads.ContextThreads;

/**
 * Proves that the target holds what the source held: for every table, the row count and content hash computed on
 * both servers at the same time (source inside the migration's snapshot), and every sequence's position.
 *
 * <p>A table all of whose parts a migration copied in binary is compared with the digest of the rows the copy read from the
 * source ({@link SourceDigests}), so only the target is read again; a difference there is checked on both servers.
 *
 * <p>Used once: {@link #start}, {@link #submit} (from any thread), {@link #finish} (by the owner). Runs {@code jobs}
 * tables at a time, each on both servers at once.
 */
public final class DatabaseVerifier implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DatabaseVerifier.class);

    private final DatabaseSessions sessions;
    private final int jobs;
    private final Cancellation cancel;

    private final int samplePercent;
    private final int showRows;
    private final SourceDigests sourceDigests;
    private final TableSelection selection;
    private final ObjectSkips skips;
    private final java.util.concurrent.BlockingQueue<Optional<Table>> queue = new java.util.concurrent.LinkedBlockingQueue<>();
    private final List<TableVerification> results = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    /** What {@link #skips} left out of the comparison, for the report's warnings (set by {@link #compareObjects}). */
    private final List<String> skipWarnings = new ArrayList<>();

    /**
     * A verifier of every row that takes the source side of a table from {@code sourceDigests} when the copy left one
     * there, and reads only the target for it.
     */
    public DatabaseVerifier(DatabaseSessions sessions, int jobs, Cancellation cancel, SourceDigests sourceDigests) {
        this(sessions, jobs, 100, 0, cancel, sourceDigests, TableSelection.ALL, ObjectSkips.NONE);
    }

    /**
     * {@link #DatabaseVerifier(DatabaseSessions, int, Cancellation, SourceDigests)} for a filtered migration: the
     * definitions of what {@code selection} leaves out are not compared (the tables to compare are the caller's).
     */
    public DatabaseVerifier(DatabaseSessions sessions, int jobs, Cancellation cancel, SourceDigests sourceDigests,
                            TableSelection selection) {
        this(sessions, jobs, 100, 0, cancel, sourceDigests, selection, ObjectSkips.NONE);
    }

    /**
     * {@link #DatabaseVerifier(DatabaseSessions, int, Cancellation, SourceDigests, TableSelection)} for a migration
     * that left kinds of objects out on request: those are not compared, and the report's warnings say so.
     */
    public DatabaseVerifier(DatabaseSessions sessions, int jobs, Cancellation cancel, SourceDigests sourceDigests,
                            TableSelection selection, ObjectSkips skips) {
        this(sessions, jobs, 100, 0, cancel, sourceDigests, selection, skips);
    }

    /** @param samplePercent 1 to 100: the share of rows hashed (row counts are always exact) */
    public DatabaseVerifier(DatabaseSessions sessions, int jobs, int samplePercent, Cancellation cancel) {
        this(sessions, jobs, samplePercent, 0, cancel, new SourceDigests(), TableSelection.ALL, ObjectSkips.NONE);
    }

    /**
     * @param samplePercent 1 to 100: the share of rows hashed (row counts are always exact)
     * @param showRows      for a table that differs and has a key, name the keys of up to this many rows that
     *                      differ (0: none); costs a sort of that table on both servers
     */
    public DatabaseVerifier(DatabaseSessions sessions, int jobs, int samplePercent, int showRows, Cancellation cancel) {
        this(sessions, jobs, samplePercent, showRows, cancel, ObjectSkips.NONE);
    }

    /**
     * {@link #DatabaseVerifier(DatabaseSessions, int, int, int, Cancellation)} between databases a migration made
     * leaving kinds of objects out on request ({@code skips}): those are not compared.
     */
    public DatabaseVerifier(DatabaseSessions sessions, int jobs, int samplePercent, int showRows, Cancellation cancel,
                            ObjectSkips skips) {
        this(sessions, jobs, samplePercent, showRows, cancel, new SourceDigests(), TableSelection.ALL, skips);
    }

    private DatabaseVerifier(DatabaseSessions sessions, int jobs, int samplePercent, int showRows, Cancellation cancel,
                             SourceDigests sourceDigests, TableSelection selection, ObjectSkips skips) {
        if (samplePercent < 1 || samplePercent > 100) {
            throw new IllegalArgumentException("sample must be 1 to 100 percent, was " + samplePercent);
        }
        if (showRows < 0) {
            throw new IllegalArgumentException("showRows must not be negative, was " + showRows);
        }
        this.sessions = sessions;
        this.jobs = jobs;
        this.samplePercent = samplePercent;
        this.showRows = showRows;
        this.cancel = cancel;
        this.sourceDigests = sourceDigests == null ? new SourceDigests() : sourceDigests;
        this.selection = selection;
        this.skips = skips == null ? ObjectSkips.NONE : skips;
    }

    /** Compares tables and objects, and every sequence of the source with the target, live. */
    public VerificationReport verify(String database, List<Table> tables, List<Sequence> sequences) {
        return verify(database, tables, sequences, null);
    }

    /** {@link #start}, every table, then {@link #finish}: for when all tables are there to compare. */
    public VerificationReport verify(String database, List<Table> tables, List<Sequence> sequences,
                                     List<SequenceValues.Position> expectedSequences) {
        start(database, Math.max(1, Math.min(jobs, tables.size())));
        tables.forEach(this::submit);
        return finish(database, sequences, expectedSequences);
    }

    /**
     * Starts the workers, so that tables can be {@link #submit}ted as they become ready: a migration verifies each
     * table as soon as its rows are in, while other tables are still copying.
     */
    public void start(String database, int workers) {
        for (int i = 1; i <= workers; i++) {
            Thread t = ContextThreads.newThread("pgmigrate-verify-" + database + "-" + i, () -> {
                try {
                    verifyTables();
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                    queue.clear();
                }
            });
            threads.add(t);
            t.start();
        }
    }

    /** Queues a table whose rows are all on the target; returns at once. Thread-safe. */
    public void submit(Table table) {
        queue.add(Optional.of(table));
    }

    /**
     * Waits for every submitted table, then compares sequences (against {@code expectedSequences} when given) and
     * the definitions of objects. Sequences are not transactional, so a live source may have moved past the positions a
     * migration copied: the migration passes the positions it wrote, and the proof is that the target holds them.
     */
    public VerificationReport finish(String database, List<Sequence> sequences,
                                     List<SequenceValues.Position> expectedSequences) {
        threads.forEach(t -> queue.add(Optional.empty()));
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(EngineError.CANCELED, "Interrupted while verifying " + database, e);
        }
        cancel.throwIfCanceled();
        if (failure.get() != null) {
            Exception e = failure.get();
            throw e instanceof EngineException ee ? ee
                    : new EngineException(EngineError.INTERNAL, "Verification of " + database + " failed: " + e.getMessage(), e);
        }
        List<TableVerification> sorted = new ArrayList<>(results);
        sorted.sort((a, b) -> a.table().compareTo(b.table()));
        SchemaComparison.Result objects = compareObjects();
        List<String> warnings = new ArrayList<>(skipWarnings);
        warnings.addAll(objects.notes());
        return new VerificationReport(database, sorted, compareSequences(sequences, expectedSequences),
                objects.differences(), warnings, samplePercent);
    }

    /** Stops the workers without waiting for queued tables (the migration failed elsewhere). */
    @Override
    public void close() {
        queue.clear();
        threads.forEach(t -> queue.add(Optional.empty()));
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void verifyTables() throws Exception {
        ExecutorService sourceSide = Executors.newSingleThreadExecutor(r -> new Thread(r,
                Thread.currentThread().getName() + "-source"));
        try (Connection target = sessions.target("verify");
             Connection source = sourceSide.submit(() -> sessions.sourceInSnapshot("verify")).get()) {
            pin(target);
            sourceSide.submit(() -> {
                pin(source);
                return null;
            }).get();
            // The 64-bit hash functions came with 11: with an older source, both servers hash rows with md5.
            boolean md5Rows = !sourceSide.submit(() -> ServerVersion.of(source)).get().atLeast(11);
            Runnable unTarget = cancel.cancelStatementsOn(target);
            Runnable unSource = cancel.cancelStatementsOn(source);
            try {
                for (Optional<Table> next; (next = queue.take()).isPresent(); ) {
                    if (cancel.isCanceled()) {
                        continue;
                    }
                    Table t = next.get();
                    Optional<TableVerification> fromCopy = againstCopiedRows(target, t);
                    if (fromCopy.isPresent()) {
                        results.add(fromCopy.get());
                        continue;
                    }
                    Future<TableFingerprint> sourceFingerprint = sourceSide.submit(
                            () -> TableFingerprint.compute(source, t, samplePercent, md5Rows));
                    TableFingerprint targetFingerprint = TableFingerprint.compute(target, t, samplePercent, md5Rows);
                    TableFingerprint sourceResult = sourceFingerprint.get();
                    if (samplePercent < 100) {
                        // Counts stay exact: a sample must not hide a missing row that the count would show.
                        sourceResult = exactCount(source, t, sourceResult, sourceSide);
                        targetFingerprint = exactCount(target, t, targetFingerprint, null);
                    }
                    TableVerification verdict = new TableVerification(t.displayName(), sourceResult, targetFingerprint);
                    if (!verdict.equal() && showRows > 0 && !t.orderKey().isEmpty()) {
                        verdict = verdict.withDifferingRows(differingRows(source, target, t));
                    }
                    results.add(verdict);
                }
            } finally {
                unTarget.run();
                unSource.run();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            sourceSide.shutdownNow();
        }
    }

    /**
     * Compares the target with the digest of the rows the copy read from the source, if there is one. A difference
     * is not reported from here: the caller then fingerprints both servers, which names what differs (and would
     * clear a stream whose bytes differ only in form).
     */
    private Optional<TableVerification> againstCopiedRows(Connection target, Table t) throws SQLException {
        Optional<TableFingerprint> copied = samplePercent == 100 ? sourceDigests.of(t) : Optional.empty();
        if (copied.isEmpty()) {
            return Optional.empty();
        }
        TableVerification v = new TableVerification(t.displayName(), copied.get(), BinaryCopyDigest.read(target, t));
        if (v.equal()) {
            return Optional.of(v);
        }
        log.info("{}: the target differs from the rows the copy read ({} rows, {} on the target); fingerprinting both"
                + " servers", t.displayName(), copied.get().rows(), v.target().rows());
        return Optional.empty();
    }

    private static TableFingerprint exactCount(Connection c, Table t, TableFingerprint sampled, ExecutorService on)
            throws Exception {
        java.util.concurrent.Callable<TableFingerprint> count = () -> {
            try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM ONLY "
                    + t.qualifiedName())) {
                rs.next();
                return new TableFingerprint(rs.getLong(1), sampled.hash() + " (sampled " + sampled.rows() + " rows)",
                        sampled.method());
            }
        };
        return on == null ? count.call() : on.submit(count).get();
    }

    /** The target read in a transaction of its own, so that both sides can stream their rows ordered by key. */
    private List<String> differingRows(Connection source, Connection target, Table t) throws SQLException {
        target.setAutoCommit(false);
        try {
            return RowDifferences.find(source, target, t, showRows);
        } finally {
            target.rollback();
            target.setAutoCommit(true);
        }
    }

    /** Both sides' definitions, read at the same time (the source in the snapshot), compared by kind and name. */
    private SchemaComparison.Result compareObjects() {
        ExecutorService sourceSide = Executors.newSingleThreadExecutor(r -> new Thread(r,
                Thread.currentThread().getName() + "-objects-source"));
        try (Connection source = sessions.sourceInSnapshot("verify-objects");
             Connection target = sessions.target("verify-objects")) {
            Runnable unSource = cancel.cancelStatementsOn(source);
            Runnable unTarget = cancel.cancelStatementsOn(target);
            try {
                Future<Objects> sourceObjects = sourceSide.submit(() -> Objects.read(source));
                Objects targetObjects = Objects.read(target);
                Objects sourceResult = sourceObjects.get();
                Map<String, SchemaDefinitions.Definition> sourceDefinitions =
                        new java.util.LinkedHashMap<>(selected(sourceResult.definitions()));
                Map<String, SchemaDefinitions.Definition> targetDefinitions =
                        new java.util.LinkedHashMap<>(selected(targetObjects.definitions()));
                skipWarnings.addAll(removeSkipped(sourceDefinitions, targetDefinitions));
                return SchemaComparison.compare(sourceDefinitions, targetDefinitions, sourceResult.major(),
                        targetObjects.major());
            } finally {
                unSource.run();
                unTarget.run();
            }
        } catch (SQLException | ExecutionException e) {
            cancel.throwIfCanceled();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new EngineException(EngineError.INTERNAL, "Comparing the definitions of objects failed: "
                    + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(EngineError.CANCELED, "Interrupted while comparing objects", e);
        } finally {
            sourceSide.shutdownNow();
        }
    }

    /**
     * The definitions without what the filter leaves out, on either side: a schema left out still exists on the
     * target when it is {@code public}, which every new database has. What belongs to a table left out (its columns,
     * indexes, triggers) is skipped by the comparison, which compares only what belongs to objects on both sides.
     */
    private Map<String, SchemaDefinitions.Definition> selected(Map<String, SchemaDefinitions.Definition> all) {
        if (selection.everything()) {
            return all;
        }
        Map<String, SchemaDefinitions.Definition> kept = new java.util.LinkedHashMap<>();
        all.forEach((key, d) -> {
            if (!selection.excludesDefinition(d.schema(), d.kind(), d.object())) {
                kept.put(key, d);
            }
        });
        return kept;
    }

    /**
     * Takes the kinds a migration left out on request ({@link ObjectSkips}) out of both sides' definitions: the count
     * of large objects, and extensions (the user installs them, or not). Each skipped kind becomes a warning that
     * says what each side holds and which setting left it out, so that a report never passes over it in silence.
     */
    private List<String> removeSkipped(Map<String, SchemaDefinitions.Definition> source,
                                       Map<String, SchemaDefinitions.Definition> target) {
        List<String> warnings = new ArrayList<>();
        if (skips.largeObjects()) {
            warnings.add("large objects were skipped (" + skips.largeObjectsBy() + " is on) and not compared"
                    + " (source: " + removeKind(source, "large objects") + "; target: "
                    + removeKind(target, "large objects") + ")");
        }
        if (skips.extensions()) {
            warnings.add("extensions were skipped (" + skips.extensionsBy() + " is on) and not compared (source: "
                    + removeKind(source, "extension") + "; target: " + removeKind(target, "extension") + ")");
        }
        return warnings;
    }

    /** Removes the definitions of {@code kind}; returns their names, or for the large objects their count. */
    private static String removeKind(Map<String, SchemaDefinitions.Definition> definitions, String kind) {
        List<String> removed = new ArrayList<>();
        definitions.values().removeIf(d -> {
            if (!d.kind().equals(kind)) {
                return false;
            }
            removed.add(kind.equals("large objects") ? d.definition() : d.name());
            return true;
        });
        if (kind.equals("large objects")) {
            return removed.isEmpty() ? "0" : removed.get(0);
        }
        return removed.isEmpty() ? "none" : String.join(", ", removed);
    }

    /** One side's definitions, and the major version that printed them. */
    private record Objects(int major, Map<String, SchemaDefinitions.Definition> definitions) {
        static Objects read(Connection c) throws SQLException {
            ServerVersion version = ServerVersion.of(c);
            return new Objects(version.major(), SchemaDefinitions.read(c, version));
        }
    }

    private List<String> compareSequences(List<Sequence> sequences, List<SequenceValues.Position> known) {
        if (sequences.isEmpty()) {
            return List.of();
        }
        try (Connection source = sessions.sourceInSnapshot("verify-sequences");
             Connection target = sessions.target("verify-sequences")) {
            List<SequenceValues.Position> expected = known != null ? known : SequenceValues.read(source, sequences);
            List<SequenceValues.Position> actual = SequenceValues.read(target, sequences);
            List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                SequenceValues.Position e = expected.get(i);
                SequenceValues.Position a = actual.get(i);
                if (e.lastValue() != a.lastValue() || e.called() != a.called()) {
                    mismatches.add(e.sequence().qualifiedName() + ": last_value " + e.lastValue() + (e.called() ? " (called)" : "")
                            + " on the source, " + a.lastValue() + (a.called() ? " (called)" : "") + " on the target");
                }
            }
            return mismatches;
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Comparing sequences failed: " + e.getMessage(), e);
        }
    }

    private static void pin(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(TableFingerprint.PIN_SETTINGS);
        }
    }
}
