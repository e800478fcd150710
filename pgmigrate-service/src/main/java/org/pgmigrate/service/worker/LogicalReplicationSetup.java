package org.pgmigrate.service.worker;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.AlterSystem;
import org.pgmigrate.engine.cdc.SourceChangeLog;
import org.pgmigrate.engine.cdc.SourceReadiness;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;

/**
 * The source's side of an online migration's prerequisites: is logical replication live, with enough free
 * replication slots and WAL senders for the migration's databases (the engine's {@link SourceReadiness} decides;
 * this class words it for the migration's messages); and, when the user allows it
 * ({@code setupLogicalReplicationOnSourceDbIfNeeded}), turning it on with {@code ALTER SYSTEM} (the restart that
 * follows is {@link RestartCommandRunner}'s). Every call blocks on the source.
 * Stateless and thread-safe.
 */
final class LogicalReplicationSetup {

    private final PgConnector connector;

    LogicalReplicationSetup(PgConnector connector) {
        this.connector = connector;
    }

    /**
     * What the source has now ({@link SourceReadiness} decides), and who and where it is for the messages.
     * {@code dataDirectory} and {@code binDirectory} are null when the user may not read them (only superusers and
     * pg_read_all_settings members may).
     */
    record Readiness(String address, String user, SourceReadiness.Verdict verdict, String dataDirectory,
                     String binDirectory) {

        boolean ready() {
            return verdict.ready();
        }

        /** What is missing, in words, e.g. "wal_level is replica (online migration needs logical)". */
        String problem() {
            List<String> problems = new ArrayList<>();
            if (!verdict.logical()) {
                problems.add("wal_level is " + verdict.walLevel() + " (online migration needs logical)");
            }
            if (!verdict.enoughSlots()) {
                problems.add("max_replication_slots is " + verdict.maxSlots() + " with " + verdict.slotsUsed()
                        + " in use (" + verdict.slotsNeeded() + " needed)");
            }
            if (!verdict.enoughSenders()) {
                problems.add("max_wal_senders is " + verdict.maxSenders() + " with " + verdict.sendersUsed()
                        + " in use (" + verdict.sendersNeeded() + " needed)");
            }
            return "On the source server " + address + ", " + String.join(", and ", problems) + ".";
        }

        /** The settings that make it ready (only raised, never lowered), in the order they are set. */
        Map<String, String> settings() {
            return verdict.settings();
        }

        /** The ALTER SYSTEM statements that make it ready, for messages. */
        List<String> statements() {
            return verdict.statements();
        }

        /** How to restart the source by hand, as precisely as the source lets us know. */
        String restartHint() {
            String pgCtl = binDirectory == null ? "pg_ctl" : binDirectory + "/pg_ctl";
            String dir = dataDirectory == null ? "<its data directory>" : "'" + dataDirectory + "'";
            return "as the operating-system user that runs PostgreSQL (usually postgres), run: " + pgCtl
                    + " restart -D " + dir + " -m fast (or restart it with your service manager, e.g. systemctl"
                    + " restart postgresql)";
        }
    }

    /** Reads the source's replication settings; throws {@link EngineException} when it cannot connect. */
    Readiness inspect(PgEndpoint source, int databases) {
        try (Connection c = openMaintenance(source); Statement s = c.createStatement()) {
            SourceReadiness.Verdict verdict = SourceReadiness.inspect(c, databases, null);
            return new Readiness(source.address(), source.user(), verdict, optional(s, "SELECT setting FROM"
                    + " pg_catalog.pg_settings WHERE name = 'data_directory'"),
                    optional(s, "SELECT setting FROM pg_catalog.pg_config WHERE name = 'BINDIR'"));
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Cannot read the replication settings of the source server "
                    + source.address() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets {@code settings} with ALTER SYSTEM on the source, each recorded in {@code changeLog} (with what
     * postgresql.auto.conf held) before it is set, so that a migration ending without a cutover can put them back.
     * Throws {@link EngineException} ({@code INSUFFICIENT_PRIVILEGE} when the user may not) with the server's message.
     */
    void alterSystem(PgEndpoint source, Map<String, String> settings, SourceChangeLog changeLog) {
        try (Connection c = openMaintenance(source)) {
            AlterSystem.set(c, settings, changeLog);
        } catch (SQLException e) {
            throw new EngineException("42501".equals(e.getSQLState()) ? EngineError.INSUFFICIENT_PRIVILEGE
                    : EngineError.INTERNAL, e.getMessage(), e);
        }
    }

    /** The maintenance database: {@code postgres}, else {@code template1} (as the prerequisites connect). */
    private Connection openMaintenance(PgEndpoint source) {
        try {
            return connector.open(source.withDatabase("postgres"), PgConnector.Side.SOURCE, "service");
        } catch (EngineException e) {
            if (e.error() != EngineError.DATABASE_NOT_FOUND) {
                throw e;
            }
            return connector.open(source.withDatabase("template1"), PgConnector.Side.SOURCE, "service");
        }
    }

    private static String optional(Statement s, String sql) {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            return null; // not allowed to read it: the hint says so in general terms
        }
    }
}
