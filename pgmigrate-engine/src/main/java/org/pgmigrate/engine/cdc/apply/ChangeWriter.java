package org.pgmigrate.engine.cdc.apply;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Delete;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Update;
import org.pgmigrate.engine.cdc.pgoutput.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns row changes into SQL on the target and runs them as JDBC batches. Each table has its own pending batch, and
 * a table's changes run in their source order: a change of another shape (an UPDATE after INSERTs) first runs the
 * table's batch. Batches of <em>different</em> tables may run in any order, because nothing on the target links
 * them while the changes land: under {@code session_replication_role=replica} neither triggers nor foreign-key
 * checks fire, and every unique or exclusion constraint lives within one table. So a stream of small transactions
 * that each touch several tables (pgbench's) costs a round trip per table and batch, not one per change.
 * TRUNCATE, which may cascade to other tables, first runs every batch. Repeated UPDATEs of one row within a batch
 * collapse into the last where that is safe (see {@link #collapsible}). Values are bound as untyped text, so the
 * target parses the source's text forms itself: floats, numeric and bigint stay exact, and user types need no OID
 * mapping. The batches run on the target from a thread of their own ({@link BatchPipeline}), in the order they are
 * handed over, while this thread decodes and batches the next changes; {@link #flush} waits for them.
 *
 * <ul>
 *   <li>Unchanged TOAST values ({@code u}) are left out of the SET list, never written as a placeholder.</li>
 *   <li>An UPDATE whose SET list would be empty assigns a column to itself, so it still proves the row exists.</li>
 *   <li>GENERATED ALWAYS identity: INSERT says OVERRIDING SYSTEM VALUE; an unchanged identity key is not SET; an
 *       identity value that may have changed is only writable after the column is switched to BY DEFAULT (done
 *       once per table, in the apply transaction, and undone at cutover).</li>
 *   <li>REPLICA IDENTITY FULL: UPDATE and DELETE change exactly one row, picked by a ctid subselect.</li>
 *   <li>Every UPDATE and DELETE must change exactly one row; anything else means the target diverged.</li>
 * </ul>
 *
 * <p>Applier thread only; not thread-safe.
 */
final class ChangeWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeWriter.class);
    private static final int CACHED_STATEMENTS = 256;

    private final Connection connection;
    private final RelationCatalog catalog;
    private final int batchSize;
    private final long batchBytes;
    private final BatchPipeline pipeline;
    /**
     * One statement per shape, least recently used evicted; used by the pipeline's thread only (a batch looks its
     * statement up when it runs, so evicting another one never closes a statement in use).
     */
    private final Map<StatementShape, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<StatementShape, PreparedStatement> eldest) {
            if (size() > CACHED_STATEMENTS) {
                closeQuietly(eldest.getValue());
                return true;
            }
            return false;
        }
    };
    /** One multi-row statement per shape ({@link StatementShape#unnestSql}), least recently used evicted; likewise. */
    private final Map<StatementShape, PreparedStatement> unnestStatements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<StatementShape, PreparedStatement> eldest) {
            if (size() > CACHED_STATEMENTS) {
                closeQuietly(eldest.getValue());
                return true;
            }
            return false;
        }
    };
    /** Each table's batch not yet sent, by relation id, in the order the tables were first touched. */
    private final Map<Integer, PendingBatch> pending = new LinkedHashMap<>();
    private int pendingRowCount;
    private long pendingBytes;
    private int peakBatchRows;
    /** The commit LSN of the source transaction being applied; formatted only when a message needs it. */
    private Lsn sourceCommit;
    private CopyRun copyRun;
    private StatementShape copyStatementShape;

    /**
     * One table's statement and the parameters of its rows (bound when the batch runs, so that a row can still be
     * replaced), each row described for error messages.
     */
    private static final class PendingBatch {
        final StatementShape shape;
        final TargetTable table;
        final List<String[]> params = new ArrayList<>();
        final List<Supplier<String>> rows = new ArrayList<>();
        /** For UPDATEs that may be collapsed: the row index of each key's update; null otherwise. */
        final Map<List<String>, Integer> byKey;
        long bytes;

        PendingBatch(StatementShape shape, TargetTable table, boolean collapsible) {
            this.shape = shape;
            this.table = table;
            this.byKey = collapsible ? new HashMap<>() : null;
        }
    }

    ChangeWriter(Connection connection, RelationCatalog catalog, int batchSize, long batchBytes) {
        this.connection = connection;
        this.catalog = catalog;
        this.batchSize = batchSize;
        this.batchBytes = batchBytes;
        // Two batches at most: the one running on the target and the one this thread is filling.
        this.pipeline = new BatchPipeline(runnerName(Thread.currentThread().getName()), batchSize);
    }

    /** pgmigrate-cdc-apply-db's runner is pgmigrate-cdc-target-db (the names tell them apart in a thread dump). */
    private static String runnerName(String applier) {
        return applier.contains("-apply-") ? applier.replace("-apply-", "-target-") : applier + "-target";
    }

    /**
     * The target table of a source relation, resolving it against the target catalog if needed: the pending batch
     * or COPY is finished first, since no other statement may run while a COPY is open.
     */
    TargetTable table(int relationId, int targetMajor) throws SQLException {
        if (!catalog.isResolved(relationId)) {
            flush();
        }
        return catalog.table(relationId, connection, targetMajor);
    }

    /** e.g. "in the source transaction committed at 0/1A2B3C", for error messages. */
    private String sourceTransaction() {
        return describe(sourceCommit);
    }

    private static String describe(Lsn commitLsn) {
        return commitLsn == null ? "" : "in the source transaction committed at " + commitLsn;
    }

    /** Names the source transaction being applied, for error messages. */
    void sourceTransaction(Lsn commitLsn) {
        this.sourceCommit = commitLsn;
    }

    /** The most rows one batch held: what apply keeps in memory at once. */
    int peakBatchRows() {
        return peakBatchRows;
    }

    void insert(TargetTable t, Tuple row) throws SQLException {
        BitSet all = new BitSet();
        for (int i = 0; i < t.size(); i++) {
            if (row.isUnchangedToast(i)) {
                throw new EngineException(EngineError.REPLICATION_FAILED, "INSERT into " + t.displayName()
                        + " carries an unchanged-TOAST marker for column \"" + t.column(i).name() + "\", which an"
                        + " INSERT cannot have. " + sourceTransaction());
            }
            all.set(i);
        }
        StatementShape shape = new StatementShape(t.relationId(), 'I', all, new BitSet(), -1);
        if (copyRun != null && shape.equals(copyStatementShape) && !pending.containsKey(t.relationId())) {
            copyRun.write(row);
            return;
        }
        String[] values = new String[t.size()];
        for (int i = 0; i < t.size(); i++) {
            values[i] = row.isNull(i) ? null : row.value(i);
        }
        added(batch(shape, t), values, null, null, row.approximateBytes());
    }

    void update(TargetTable table, Update u) throws SQLException {
        TargetTable t = table;
        Tuple n = u.newTuple();
        if (t.fullIdentity() && u.oldKind() != 'O') {
            throw new EngineException(EngineError.REPLICATION_FAILED, "UPDATE of " + t.displayName() + " (REPLICA"
                    + " IDENTITY FULL) came without the old row. " + sourceTransaction());
        }
        Tuple where = t.fullIdentity() ? u.oldTuple() : u.oldKind() == 'K' ? u.oldTuple() : n;
        boolean keyChanged = u.oldKind() == 'K';
        BitSet set = setColumns(t, u, keyChanged);
        if (set == null) {
            t = identityWritable(t);
            set = setColumns(t, u, keyChanged);
        }
        int self = -1;
        if (set.isEmpty()) {
            self = selfAssignColumn(t);
            if (self < 0) {
                t = identityWritable(t);
                self = 0;
            }
        }
        BitSet nullKeys = whereNulls(t, where);
        List<String> key = whereValues(t, where);
        String[] values = new String[set.cardinality() + key.size()];
        int p = 0;
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
            values[p++] = n.isNull(i) ? null : n.value(i);
        }
        for (String k : key) {
            values[p++] = k;
        }
        PendingBatch batch = batch(new StatementShape(t.relationId(), 'U', set, nullKeys, self), t);
        TargetTable described = t;
        added(batch, values, key, () -> describe(described, where), n.approximateBytes());
    }

    void delete(TargetTable t, Delete d) throws SQLException {
        Tuple where = d.oldTuple();
        BitSet nullKeys = whereNulls(t, where);
        PendingBatch batch = batch(new StatementShape(t.relationId(), 'D', new BitSet(), nullKeys, -1), t);
        added(batch, whereValues(t, where).toArray(String[]::new), null, () -> describe(t, where),
                where.approximateBytes());
    }

    /** One TRUNCATE for every listed table (they include what a CASCADE reached), so FK checks pass. */
    void truncate(List<TargetTable> tables, boolean restartIdentity) throws SQLException {
        flush();
        StringBuilder sql = new StringBuilder("TRUNCATE ");
        for (int i = 0; i < tables.size(); i++) {
            TargetTable t = tables.get(i);
            sql.append(i == 0 ? "" : ", ").append(t.ownRows());
        }
        if (restartIdentity) {
            sql.append(" RESTART IDENTITY");
        }
        try (Statement s = connection.createStatement()) {
            s.execute(sql.toString());
        }
    }

    /**
     * Runs every pending batch, waits until they have run and checks that every UPDATE and DELETE changed exactly
     * one row: the connection is then free for the caller (a COMMIT, a catalog lookup).
     */
    void flush() throws SQLException {
        sendPending();
        pipeline.await();
    }

    /** Hands every pending batch to the pipeline, without waiting. */
    private void sendPending() throws SQLException {
        endCopyRun();
        for (PendingBatch batch : List.copyOf(pending.values())) {
            run(batch);
        }
    }

    /** Forgets the batches the target rolled back. */
    void discardPending() {
        if (copyRun != null) {
            copyRun.cancel();
            copyRun = null;
            copyStatementShape = null;
        }
        pipeline.discard();
        pending.clear();
        pendingRowCount = 0;
        pendingBytes = 0;
    }

    @Override
    public void close() {
        if (copyRun != null) {
            copyRun.cancel();
            copyRun = null;
        }
        pipeline.close(); // before the statements: a running batch may still use its own
        pending.clear();
        statements.values().forEach(ChangeWriter::closeQuietly);
        statements.clear();
        unnestStatements.values().forEach(ChangeWriter::closeQuietly);
        unnestStatements.clear();
    }

    /** The table's pending batch for {@code shape}; a batch of another shape for the table runs first. */
    private PendingBatch batch(StatementShape shape, TargetTable t) throws SQLException {
        PendingBatch batch = pending.get(t.relationId());
        if (batch != null && batch.shape.equals(shape)) {
            return batch;
        }
        if (batch != null) {
            run(batch);
        }
        batch = new PendingBatch(shape, t, collapsible(shape, t));
        pending.put(t.relationId(), batch);
        return batch;
    }

    /**
     * Repeated UPDATEs of one row in one batch may be collapsed into the last: they set the same columns (one shape),
     * nothing else of the table runs in between (another shape would have run the batch), and the key is not among
     * the columns set. That is only safe when no other row can constrain the row's values: with a unique column
     * besides the key, two rows may swap values through an intermediate one, which the last values alone would
     * violate. Hot rows (counters, pgbench's tellers and branches) then cost one UPDATE per batch.
     */
    private static boolean collapsible(StatementShape shape, TargetTable t) {
        if (shape.op() != 'U' || t.fullIdentity() || !t.identityOnlyUnique() || !shape.nullKeys().isEmpty()) {
            return false;
        }
        for (int i = shape.set().nextSetBit(0); i >= 0; i = shape.set().nextSetBit(i + 1)) {
            if (t.column(i).key()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds a row to {@code batch}. {@code description} names the row in an error and is only called then; it is
     * null for inserts, whose errors come from the server.
     */
    private void added(PendingBatch batch, String[] values, List<String> key, Supplier<String> description,
                       long bytes) throws SQLException {
        // the transaction now, not at run time: batches of other tables may run during a later transaction
        Lsn transaction = sourceCommit;
        Supplier<String> row = description == null ? null : () -> description.get() + ", " + describe(transaction);
        if (batch.byKey != null) {
            Integer earlier = batch.byKey.putIfAbsent(key, batch.params.size());
            if (earlier != null) {
                // replaces a row of about the same size: the memory held does not grow
                batch.params.set(earlier, values);
                batch.rows.set(earlier, row);
                return;
            }
        }
        batch.bytes += bytes;
        pendingBytes += bytes;
        batch.params.add(values);
        batch.rows.add(row);
        pendingRowCount++;
        peakBatchRows = Math.max(peakBatchRows, pendingRowCount);
        if (pendingRowCount >= batchSize || pendingBytes >= batchBytes) {
            // A full batch of nothing but inserts into one table: COPY carries the rest of that run far faster.
            boolean copyNext = batch.shape.op() == 'I' && batch.rows.size() >= batchSize && batch.table.size() > 0;
            if (!copyNext) {
                sendPending(); // this thread goes on with the next changes while the target runs these
                return;
            }
            flush(); // a COPY run holds the connection
            copyRun = new CopyRun(connection, batch.table);
            copyStatementShape = batch.shape;
        }
    }

    /**
     * Hands one table's batch to the pipeline; a COPY run, which holds the connection, ends first. The array literals
     * of a one-statement batch are built here, beside the target's work on the batch before.
     */
    private void run(PendingBatch batch) throws SQLException {
        endCopyRun();
        pending.remove(batch.shape.relationId());
        pendingRowCount -= batch.rows.size();
        pendingBytes -= batch.bytes;
        Lsn transaction = sourceCommit;
        // Inserts, and updates whose keys are distinct (collapsed): one executor run instead of one per row.
        if ((batch.shape.op() == 'I' || batch.byKey != null) && batch.params.size() > 1
                && batch.shape.unnestable(batch.table)) {
            String[] arrays = new String[batch.params.get(0).length];
            for (int j = 0; j < arrays.length; j++) {
                arrays[j] = arrayLiteral(batch.params, j);
            }
            pipeline.submit(batch.params.size(), () -> runAsOneStatement(batch, arrays, transaction));
            return;
        }
        pipeline.submit(batch.params.size(), () -> runRowByRow(batch));
    }

    /** A batch as one JDBC batch of one statement per row; the pipeline's thread. */
    private void runRowByRow(PendingBatch batch) throws SQLException {
        PreparedStatement ps = statements.get(batch.shape);
        if (ps == null) {
            ps = connection.prepareStatement(batch.shape.sql(batch.table));
            statements.put(batch.shape, ps);
        }
        for (String[] values : batch.params) {
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    ps.setNull(i + 1, Types.OTHER);
                } else {
                    ps.setObject(i + 1, values[i], Types.OTHER);
                }
            }
            ps.addBatch();
        }
        int[] counts;
        try {
            counts = ps.executeBatch();
        } catch (BatchUpdateException e) {
            throw e.getNextException() != null ? e.getNextException() : e;
        }
        char op = batch.shape.op();
        if (op == 'I') {
            return;
        }
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 1 && counts[i] != Statement.SUCCESS_NO_INFO) {
                throw new EngineException(EngineError.REPLICATION_FAILED, (op == 'U' ? "UPDATE" : "DELETE") + " of "
                        + batch.table.displayName() + " "
                        + (counts[i] == 0 ? "matched no row" : "changed " + counts[i] + " rows") + " on the target for "
                        + batch.rows.get(i).get() + ". The target no longer matches the source (was it written to during"
                        + " the migration?), so replication stopped before that transaction. Start the migration"
                        + " again.");
            }
        }
    }

    /**
     * Runs a batch of INSERTs, or of UPDATEs with distinct keys, as one statement over unnested arrays (each column's
     * {@code arrays} literal); the pipeline's thread. If an UPDATE matched fewer rows than sent, the first missing
     * one is looked up to name it.
     */
    private void runAsOneStatement(PendingBatch batch, String[] arrays, Lsn transaction) throws SQLException {
        PreparedStatement ps = unnestStatements.get(batch.shape);
        if (ps == null) {
            ps = connection.prepareStatement(batch.shape.unnestSql(batch.table));
            unnestStatements.put(batch.shape, ps);
        }
        int columns = arrays.length;
        for (int j = 0; j < columns; j++) {
            ps.setObject(j + 1, arrays[j], Types.OTHER);
        }
        int changed = ps.executeUpdate();
        if (changed == batch.params.size()) {
            return;
        }
        if (batch.shape.op() == 'I') {
            throw new EngineException(EngineError.REPLICATION_FAILED, "INSERT into " + batch.table.displayName()
                    + " added " + changed + " rows on the target for " + batch.params.size() + " sent. "
                    + describe(transaction));
        }
        int keys = columns - batch.shape.set().cardinality();
        String missing = null;
        try (PreparedStatement probe = connection.prepareStatement("SELECT 1 FROM " + batch.table.ownRows()
                + " WHERE " + keyMatch(batch.table))) {
            for (int r = 0; r < batch.params.size() && missing == null; r++) {
                String[] values = batch.params.get(r);
                for (int k = 0; k < keys; k++) {
                    probe.setObject(k + 1, values[columns - keys + k], Types.OTHER);
                }
                try (ResultSet rs = probe.executeQuery()) {
                    missing = rs.next() ? null : batch.rows.get(r).get();
                }
            }
        }
        throw new EngineException(EngineError.REPLICATION_FAILED, "UPDATE of " + batch.table.displayName() + " "
                + (missing != null ? "matched no row on the target for " + missing
                        : "changed " + changed + " rows on the target for " + batch.params.size() + " keys")
                + ". The target no longer matches the source (was it written to during the migration?), so"
                + " replication stopped before that transaction. Start the migration again.");
    }

    private static String keyMatch(TargetTable t) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < t.size(); i++) {
            if (t.column(i).key()) {
                s.append(s.isEmpty() ? "" : " AND ").append(t.column(i).quoted()).append(" = ?");
            }
        }
        return s.toString();
    }

    /** Column {@code j} of every row as an array literal: each value quoted, so no element text is special. */
    private static String arrayLiteral(List<String[]> rows, int j) {
        // Sized once (quotes and commas included), and unescaped values appended whole: on the apply hot path.
        int capacity = 2;
        for (String[] row : rows) {
            capacity += row[j] == null ? 5 : row[j].length() + 3;
        }
        StringBuilder a = new StringBuilder(capacity + 16).append('{');
        for (int r = 0; r < rows.size(); r++) {
            if (r > 0) {
                a.append(',');
            }
            String v = rows.get(r)[j];
            if (v == null) {
                a.append("NULL");
                continue;
            }
            a.append('"');
            if (v.indexOf('"') < 0 && v.indexOf('\\') < 0) {
                a.append(v);
            } else {
                for (int k = 0; k < v.length(); k++) {
                    char c = v.charAt(k);
                    if (c == '"' || c == '\\') {
                        a.append('\\');
                    }
                    a.append(c);
                }
            }
            a.append('"');
        }
        return a.append('}').toString();
    }

    private void endCopyRun() throws SQLException {
        if (copyRun != null) {
            CopyRun run = copyRun;
            copyRun = null;
            copyStatementShape = null;
            run.end();
        }
    }

    // ---- statement shapes ----

    /** The columns to SET, or null when an identity-always column must be written first made writable. */
    private static BitSet setColumns(TargetTable t, Update u, boolean keyChanged) {
        Tuple n = u.newTuple();
        BitSet set = new BitSet();
        for (int i = 0; i < t.size(); i++) {
            TargetTable.Column c = t.column(i);
            if (n.isUnchangedToast(i)) {
                continue;
            }
            if (!t.fullIdentity() && c.key() && !keyChanged) {
                continue; // unchanged key: the WHERE clause holds it
            }
            if (c.identityAlways()) {
                boolean unchanged = t.fullIdentity() && sameValue(u.oldTuple(), n, i);
                if (unchanged) {
                    continue;
                }
                return null;
            }
            set.set(i);
        }
        return set;
    }

    private static int selfAssignColumn(TargetTable t) {
        for (int i = 0; i < t.size(); i++) {
            if (!t.column(i).identityAlways()) {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameValue(Tuple a, Tuple b, int i) {
        return a != null && a.kind(i) == b.kind(i) && java.util.Objects.equals(a.value(i), b.value(i));
    }

    private static BitSet whereNulls(TargetTable t, Tuple where) {
        BitSet nulls = new BitSet();
        for (int i = 0; i < t.size(); i++) {
            if ((t.fullIdentity() || t.column(i).key()) && where.isNull(i)) {
                nulls.set(i);
            }
        }
        return nulls;
    }

    /** The values that find the row: its key columns, or (REPLICA IDENTITY FULL) every non-NULL column. */
    private List<String> whereValues(TargetTable t, Tuple where) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            if ((t.fullIdentity() || t.column(i).key()) && !where.isNull(i)) {
                if (where.isUnchangedToast(i)) {
                    throw new EngineException(EngineError.REPLICATION_FAILED, "The key column \"" + t.column(i).name()
                            + "\" of " + t.displayName() + " arrived as an unchanged TOAST value without the old key,"
                            + " so the row cannot be found. Update the source server to a current minor release"
                            + " (fixed in February 2022). " + sourceTransaction());
                }
                values.add(where.value(i));
            }
        }
        return values;
    }

    private TargetTable identityWritable(TargetTable t) throws SQLException {
        flush();
        try (Statement s = connection.createStatement()) {
            for (TargetTable.Column c : t.columns()) {
                if (c.identityAlways()) {
                    s.execute("ALTER TABLE " + t.qualifiedName() + " ALTER COLUMN " + c.quoted()
                            + " SET GENERATED BY DEFAULT");
                }
            }
        }
        LOG.info("Switched the GENERATED ALWAYS identity columns of {} to BY DEFAULT on the target so that replicated"
                + " UPDATEs can set them; cutover switches them back.", t.displayName());
        TargetTable writable = t.withoutIdentityAlways();
        catalog.replace(writable);
        return writable;
    }

    private static String describe(TargetTable t, Tuple where) {
        StringBuilder names = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < t.size(); i++) {
            if (t.fullIdentity() || t.column(i).key()) {
                names.append(names.isEmpty() ? "" : ", ").append(t.column(i).name());
                String v = where.isNull(i) ? "NULL" : where.isUnchangedToast(i) ? "(toasted)" : where.value(i);
                values.append(values.isEmpty() ? "" : ", ").append(v.length() > 40 ? v.substring(0, 40) + "..." : v);
            }
        }
        String text = (t.fullIdentity() ? "row (" : "key (") + names + ")=(" + values + ")";
        return text.length() > 300 ? text.substring(0, 300) + "...)" : text;
    }

    private static void closeQuietly(Statement s) {
        try {
            s.close();
        } catch (SQLException e) {
            // closing a statement of a lost connection
        }
    }
}
