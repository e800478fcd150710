package org.pgmigrate.engine.snapshot;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.SessionSettings;

/** Starts a transaction that sees exactly an exported snapshot: how every copy worker reads the source. */
public final class SnapshotImport {

    private SnapshotImport() {
    }

    /**
     * Begins a REPEATABLE READ, READ ONLY transaction on {@code c} that imports {@code snapshotName}. The exporting
     * transaction must still be open. The caller ends it with rollback.
     */
    public static void begin(Connection c, String snapshotName) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            s.execute("SET TRANSACTION SNAPSHOT " + Identifiers.literal(snapshotName));
            s.execute(SessionSettings.idleInTransactionTimeoutOff(true));
            s.execute("SET LOCAL statement_timeout = 0");
        }
    }
}
