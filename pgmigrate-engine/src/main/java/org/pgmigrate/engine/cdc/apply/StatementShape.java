package org.pgmigrate.engine.cdc.apply;

import java.util.BitSet;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

/**
 * What determines a statement's text, and the text: the table, the operation ('I', 'U', 'D'), which columns an
 * UPDATE sets (or the column it assigns to itself when none is left, {@code selfAssign >= 0}), and which identity
 * values are NULL (matched with IS NULL). Values are always {@code ?} placeholders.
 */
record StatementShape(int relationId, char op, BitSet set, BitSet nullKeys, int selfAssign) {

    String sql(TargetTable t) {
        StringBuilder s = new StringBuilder();
        switch (op) {
            case 'I' -> {
                if (t.size() == 0) {
                    // A table without columns, or only generated ones (which pgoutput does not send).
                    return "INSERT INTO " + t.qualifiedName() + " DEFAULT VALUES";
                }
                s.append("INSERT INTO ").append(t.qualifiedName()).append(" (");
                StringBuilder values = new StringBuilder();
                for (int i = 0; i < t.size(); i++) {
                    s.append(i == 0 ? "" : ", ").append(t.column(i).quoted());
                    values.append(i == 0 ? "?" : ", ?");
                }
                s.append(") ").append(t.hasIdentityAlways() ? "OVERRIDING SYSTEM VALUE " : "")
                        .append("VALUES (").append(values).append(')');
            }
            case 'U' -> {
                s.append("UPDATE ").append(t.ownRows()).append(" SET ");
                if (selfAssign >= 0) {
                    String c = t.column(selfAssign).quoted();
                    s.append(c).append(" = ").append(c);
                } else {
                    String sep = "";
                    for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
                        s.append(sep).append(t.column(i).quoted()).append(" = ?");
                        sep = ", ";
                    }
                }
                s.append(" WHERE ");
                where(s, t);
            }
            case 'D' -> {
                s.append("DELETE FROM ").append(t.ownRows()).append(" WHERE ");
                where(s, t);
            }
            default -> throw new IllegalStateException("op " + op);
        }
        return s.toString();
    }

    /**
     * Whether many rows of this shape can run as one {@link #unnestSql} statement: an INSERT, or an UPDATE that is a
     * plain key lookup (no FULL identity, no NULL keys, no self-assignment); and every bound column's type
     * {@code listable}.
     */
    boolean unnestable(TargetTable t) {
        if (op == 'I') {
            for (int i = 0; i < t.size(); i++) {
                if (!t.column(i).listable()) {
                    return false;
                }
            }
            return t.size() > 0;
        }
        if (op != 'U' || t.fullIdentity() || !nullKeys.isEmpty() || selfAssign >= 0) {
            return false;
        }
        for (int i = 0; i < t.size(); i++) {
            if ((set.get(i) || t.column(i).key()) && !t.column(i).listable()) {
                return false;
            }
        }
        return true;
    }

    /**
     * One statement for many rows: each bound column's values come as one array parameter, in {@link #sql}'s
     * parameter order, cast to the target column's type. An INSERT inserts the rows in array order; an UPDATE needs
     * distinct keys (SET columns, then key columns). One statement per shape whatever the row count, so it is
     * prepared once.
     */
    String unnestSql(TargetTable t) {
        if (op == 'I') {
            StringBuilder names = new StringBuilder();
            StringBuilder arrays = new StringBuilder();
            for (int i = 0; i < t.size(); i++) {
                TargetTable.Column c = t.column(i);
                names.append(i == 0 ? "" : ", ").append(c.quoted());
                arrays.append(i == 0 ? "" : ", ").append("?::").append(c.type()).append("[]");
            }
            return "INSERT INTO " + t.qualifiedName() + " (" + names + ") "
                    + (t.hasIdentityAlways() ? "OVERRIDING SYSTEM VALUE " : "") + "SELECT * FROM unnest(" + arrays + ")";
        }
        StringBuilder sets = new StringBuilder();
        StringBuilder arrays = new StringBuilder();
        StringBuilder names = new StringBuilder();
        StringBuilder where = new StringBuilder();
        int n = 0;
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
            TargetTable.Column c = t.column(i);
            sets.append(n == 0 ? "" : ", ").append(c.quoted()).append(" = pgm_v.c").append(n);
            arrays.append(n == 0 ? "" : ", ").append("?::").append(c.type()).append("[]");
            names.append(n == 0 ? "" : ", ").append('c').append(n);
            n++;
        }
        for (int i = 0; i < t.size(); i++) {
            TargetTable.Column c = t.column(i);
            if (c.key()) {
                arrays.append(", ?::").append(c.type()).append("[]");
                names.append(", c").append(n);
                where.append(where.isEmpty() ? "" : " AND ").append("pgm_t.").append(c.quoted()).append(" = pgm_v.c")
                        .append(n);
                n++;
            }
        }
        return "UPDATE " + t.ownRows() + " AS pgm_t SET " + sets + " FROM unnest(" + arrays + ") AS pgm_v("
                + names + ") WHERE " + where;
    }

    private void where(StringBuilder s, TargetTable t) {
        if (t.fullIdentity()) {
            // Duplicate rows are legal without a key: change exactly one of them.
            s.append("ctid = (SELECT ctid FROM ").append(t.ownRows()).append(" WHERE ");
        }
        String sep = "";
        for (int i = 0; i < t.size(); i++) {
            TargetTable.Column c = t.column(i);
            if (!t.fullIdentity() && !c.key()) {
                continue;
            }
            s.append(sep);
            sep = " AND ";
            if (nullKeys.get(i)) {
                s.append(c.quoted()).append(" IS NULL");
            } else if (c.equality() || !t.fullIdentity()) {
                s.append(c.quoted()).append(" = ?");
            } else {
                // No btree equality (json, point, xml...): compare the text forms, which the copy preserved.
                s.append(c.quoted()).append("::text = ?");
            }
        }
        if (sep.isEmpty()) {
            if (!t.fullIdentity()) {
                // Never a WHERE-less UPDATE or DELETE: that would change every row.
                throw new EngineException(EngineError.REPLICATION_FAILED, "A change to " + t.displayName() + " arrived"
                        + " without its key: none of the columns of its replica identity is in the change stream"
                        + " (pgoutput does not send generated columns). Set REPLICA IDENTITY FULL on the source table"
                        + " (or let pgmigrate do it with allowReplicaIdentityFull) and start the migration again.");
            }
            // A FULL-identity table without published columns: its rows are alike, and any one of them will do.
            s.append("true");
        }
        if (t.fullIdentity()) {
            s.append(" LIMIT 1)");
        }
    }
}
