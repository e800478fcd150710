package org.pgmigrate.engine.cdc.apply;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Delete;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Update;
import org.pgmigrate.engine.cdc.pgoutput.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns row changes into SQL on the target and runs consecutive changes of the same shape as one JDBC batch, in
 * order. Values are bound as untyped text, so the target parses the source's text forms itself: floats, numeric
 * and bigint stay exact, and user types need no OID mapping.
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
    private final Map<StatementShape, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<StatementShape, PreparedStatement> eldest) {
            if (size() > CACHED_STATEMENTS && !eldest.getKey().equals(currentStatementShape)) {
                closeQuietly(eldest.getValue());
                return true;
            }
            return false;
        }
    };
    private final List<String> pendingRows = new ArrayList<>();
    private StatementShape currentStatementShape;
    private PreparedStatement current;
    private String currentTable;
    private long pendingBytes;
    private int peakBatchRows;
    private String sourceTransaction = "";
    private CopyRun copyRun;
    private StatementShape copyStatementShape;
    private int samesameShapeInserts;

    ChangeWriter(Connection connection, RelationCatalog catalog, int batchSize, long batchBytes) {
        this.connection = connection;
        this.catalog = catalog;
        this.batchSize = batchSize;
        this.batchBytes = batchBytes;
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

    /** Names the source transaction being applied, for error messages. */
    void sourceTransaction(String description) {
        this.sourceTransaction = description;
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
                        + " INSERT cannot have. " + sourceTransaction);
            }
            all.set(i);
        }
        StatementShape shape = new StatementShape(t.relationId(), 'I', all, new BitSet(), -1);
        if (copyRun != null && shape.equals(copyStatementShape)) {
            copyRun.write(row);
            return;
        }
        boolean continuing = shape.equals(currentStatementShape) && copyRun == null;
        PreparedStatement ps = statement(shape, t);
        samesameShapeInserts = continuing ? samesameShapeInserts + 1 : 1;
        int p = 1;
        for (int i = 0; i < t.size(); i++) {
            bind(ps, p++, row, i);
        }
        added(ps, null, row.approximateBytes());
        if (samesameShapeInserts >= batchSize && pendingRows.isEmpty()) {
            // A long run of inserts into one table: COPY carries the rest of it far faster than INSERT batches.
            copyRun = new CopyRun(connection, t);
            copyStatementShape = shape;
        }
    }

    void update(TargetTable table, Update u) throws SQLException {
        TargetTable t = table;
        Tuple n = u.newTuple();
        if (t.fullIdentity() && u.oldKind() != 'O') {
            throw new EngineException(EngineError.REPLICATION_FAILED, "UPDATE of " + t.displayName() + " (REPLICA"
                    + " IDENTITY FULL) came without the old row. " + sourceTransaction);
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
        StatementShape shape = new StatementShape(t.relationId(), 'U', set, nullKeys, self);
        PreparedStatement ps = statement(shape, t);
        int p = 1;
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
            bind(ps, p++, n, i);
        }
        bindWhere(ps, p, t, where);
        added(ps, describe(t, where), n.approximateBytes());
    }

    void delete(TargetTable t, Delete d) throws SQLException {
        Tuple where = d.oldTuple();
        BitSet nullKeys = whereNulls(t, where);
        StatementShape shape = new StatementShape(t.relationId(), 'D', new BitSet(), nullKeys, -1);
        PreparedStatement ps = statement(shape, t);
        bindWhere(ps, 1, t, where);
        added(ps, describe(t, where), where.approximateBytes());
    }

    /** One TRUNCATE for every listed table (they include what a CASCADE reached), so FK checks pass. */
    void truncate(List<TargetTable> tables, boolean restartIdentity) throws SQLException {
        flush();
        StringBuilder sql = new StringBuilder("TRUNCATE ");
        for (int i = 0; i < tables.size(); i++) {
            TargetTable t = tables.get(i);
            sql.append(i == 0 ? "" : ", ").append(t.partitioned() ? "" : "ONLY ").append(t.qualifiedName());
        }
        if (restartIdentity) {
            sql.append(" RESTART IDENTITY");
        }
        try (Statement s = connection.createStatement()) {
            s.execute(sql.toString());
        }
    }

    /** Runs the pending batch and checks that every UPDATE and DELETE changed exactly one row. */
    void flush() throws SQLException {
        if (copyRun != null) {
            CopyRun run = copyRun;
            copyRun = null;
            copyStatementShape = null;
            samesameShapeInserts = 0;
            run.end();
        }
        if (current == null || pendingRows.isEmpty()) {
            return;
        }
        PreparedStatement ps = current;
        char op = currentStatementShape.op();
        List<String> rows = new ArrayList<>(pendingRows);
        String table = currentTable;
        pendingRows.clear();
        pendingBytes = 0;
        int[] counts;
        try {
            counts = ps.executeBatch();
        } catch (BatchUpdateException e) {
            throw e.getNextException() != null ? e.getNextException() : e;
        }
        if (op == 'I') {
            return;
        }
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 1 && counts[i] != Statement.SUCCESS_NO_INFO) {
                throw new EngineException(EngineError.REPLICATION_FAILED, (op == 'U' ? "UPDATE" : "DELETE") + " of "
                        + table + " " + (counts[i] == 0 ? "matched no row" : "changed " + counts[i] + " rows")
                        + " on the target for " + rows.get(i) + ", " + sourceTransaction + ". The target no longer"
                        + " matches the source (was it written to during the migration?), so replication stopped"
                        + " before that transaction. Start the migration again.");
            }
        }
    }

    /** Forgets a batch the target rolled back. */
    void discardPending() {
        if (copyRun != null) {
            copyRun.cancel();
            copyRun = null;
            copyStatementShape = null;
        }
        samesameShapeInserts = 0;
        pendingRows.clear();
        pendingBytes = 0;
        if (current != null) {
            try {
                current.clearBatch();
            } catch (SQLException e) {
                // the connection is gone; the statement goes with it
            }
        }
    }

    @Override
    public void close() {
        if (copyRun != null) {
            copyRun.cancel();
            copyRun = null;
        }
        statements.values().forEach(ChangeWriter::closeQuietly);
        statements.clear();
        current = null;
        currentStatementShape = null;
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

    private PreparedStatement statement(StatementShape shape, TargetTable t) throws SQLException {
        if (!shape.equals(currentStatementShape)) {
            flush();
            PreparedStatement ps = statements.get(shape);
            if (ps == null) {
                ps = connection.prepareStatement(shape.sql(t));
                currentStatementShape = shape;
                statements.put(shape, ps);
            }
            currentStatementShape = shape;
            current = ps;
            currentTable = t.displayName();
        }
        return current;
    }

    private void bindWhere(PreparedStatement ps, int first, TargetTable t, Tuple where) throws SQLException {
        int p = first;
        for (int i = 0; i < t.size(); i++) {
            if ((t.fullIdentity() || t.column(i).key()) && !where.isNull(i)) {
                if (where.isUnchangedToast(i)) {
                    throw new EngineException(EngineError.REPLICATION_FAILED, "The key column \"" + t.column(i).name()
                            + "\" of " + t.displayName() + " arrived as an unchanged TOAST value without the old key,"
                            + " so the row cannot be found. Update the source server to a current minor release"
                            + " (fixed in February 2022). " + sourceTransaction);
                }
                ps.setObject(p++, where.value(i), Types.OTHER);
            }
        }
    }

    private static void bind(PreparedStatement ps, int p, Tuple row, int i) throws SQLException {
        if (row.isNull(i)) {
            ps.setNull(p, Types.OTHER);
        } else {
            ps.setObject(p, row.value(i), Types.OTHER);
        }
    }

    private void added(PreparedStatement ps, String description, long bytes) throws SQLException {
        ps.addBatch();
        pendingRows.add(description);
        pendingBytes += bytes;
        peakBatchRows = Math.max(peakBatchRows, pendingRows.size());
        if (pendingRows.size() >= batchSize || pendingBytes >= batchBytes) {
            flush();
        }
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
