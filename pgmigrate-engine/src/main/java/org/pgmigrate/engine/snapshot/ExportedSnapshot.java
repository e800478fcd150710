package org.pgmigrate.engine.snapshot;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.engine.pg.SessionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds an exported snapshot open: a REPEATABLE READ transaction on the source that ran {@code pg_export_snapshot()}
 * and stays idle until {@link #close()}. Every copy worker and pg_dump import it, so the whole database is copied as
 * of one instant. The connection is owned here; nothing else may run on it.
 *
 * <p>Not thread-safe; one owner opens and closes it.
 */
public final class ExportedSnapshot implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExportedSnapshot.class);

    private final Connection holder;
    private final String name;

    private ExportedSnapshot(Connection holder, String name) {
        this.holder = holder;
        this.name = name;
    }

    /** Starts the holding transaction on {@code holder} (which this object then owns) and exports its snapshot. */
    public static ExportedSnapshot export(Connection holder) throws SQLException {
        holder.setAutoCommit(false);
        // The holder is idle for the whole copy: server-side idle and statement limits must not end it.
        try (Statement s = holder.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            s.execute(SessionSettings.idleInTransactionTimeoutOff(true));
            s.execute("SET LOCAL statement_timeout = 0");
            try (ResultSet rs = s.executeQuery("SELECT pg_catalog.pg_export_snapshot()")) {
                rs.next();
                String name = rs.getString(1);
                log.debug("Exported snapshot {}", name);
                return new ExportedSnapshot(holder, name);
            }
        }
    }

    public String name() {
        return name;
    }

    /** The holder's connection, inside the snapshot; usable for catalog reads between copy phases, by the owner only. */
    public Connection connection() {
        return holder;
    }

    @Override
    public void close() {
        try {
            holder.rollback();
        } catch (SQLException e) {
            log.debug("Rolling back the snapshot holder failed (its connection is closed anyway): {}", e.getMessage());
        }
        try {
            holder.close();
        } catch (SQLException e) {
            log.debug("Closing the snapshot holder failed: {}", e.getMessage());
        }
    }
}
