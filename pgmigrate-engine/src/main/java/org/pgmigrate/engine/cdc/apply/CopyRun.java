package org.pgmigrate.engine.cdc.apply;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import org.pgmigrate.engine.cdc.pgoutput.Tuple;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A long run of inserts into one table, sent as {@code COPY ... FROM STDIN} in text format instead of INSERT
 * batches. pgoutput's text values are the types' output forms, which is what COPY's text format reads; only the
 * four characters COPY treats specially are escaped. COPY writes given values into identity columns and skips
 * generated ones, like the INSERTs it replaces; triggers stay off under session_replication_role=replica.
 *
 * <p>While a run is open nothing else may use the connection; {@link #end} or {@link #cancel} closes it.
 * Applier thread only.
 */
final class CopyRun {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final CopyIn copy;
    private final StringBuilder line = new StringBuilder(256);
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int used;
    private long rows;

    CopyRun(Connection connection, TargetTable table) throws SQLException {
        StringBuilder sql = new StringBuilder("COPY ").append(table.qualifiedName()).append(" (");
        for (int i = 0; i < table.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(table.column(i).quoted());
        }
        sql.append(") FROM STDIN");
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql.toString());
    }

    void write(Tuple row) throws SQLException {
        line.setLength(0);
        for (int i = 0; i < row.size(); i++) {
            if (i > 0) {
                line.append('\t');
            }
            if (row.isNull(i)) {
                line.append("\\N");
            } else {
                escape(row.value(i));
            }
        }
        line.append('\n');
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        if (used + bytes.length > buffer.length) {
            flushBuffer();
        }
        if (bytes.length > buffer.length) {
            copy.writeToCopy(bytes, 0, bytes.length);
        } else {
            System.arraycopy(bytes, 0, buffer, used, bytes.length);
            used += bytes.length;
        }
        rows++;
    }

    /** Ends the COPY; returns the rows the server stored, which must equal the rows written. */
    long end() throws SQLException {
        try {
            flushBuffer();
            long stored = copy.endCopy();
            if (stored != rows) {
                throw new SQLException("COPY stored " + stored + " rows of the " + rows + " sent");
            }
            return stored;
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** Abandons the run; the open transaction is rolled back by the caller. */
    void cancel() {
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException e) {
            // the connection is gone, or the COPY already failed: either way nothing was stored
        }
    }

    long rows() {
        return rows;
    }

    private void flushBuffer() throws SQLException {
        if (used > 0) {
            copy.writeToCopy(buffer, 0, used);
            used = 0;
        }
    }

    private void escape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> line.append(c);
            }
        }
    }
}
