package org.pgmigrate.service.worker;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.AlterSystem;
import org.pgmigrate.engine.cdc.SourceChangeLog;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's side of an online migration's prerequisites: is logical replication live, with enough free
 * replication slots and WAL senders for the migration's databases; and, when the user allows it
 * ({@code setupLogicalReplicationOnSourceDbIfNeeded}), turning it on with {@code ALTER SYSTEM} (the restart that
 * follows is {@link RestartCommandRunner}'s). Every call blocks on the source.
 * Stateless and thread-safe.
 */
final class LogicalReplicationSetup {

    private static final Logger LOG = LoggerFactory.getLogger(LogicalReplicationSetup.class);

    /** Walsenders one database uses while its base copy runs: the snapshot holder and the receiver. */
    static final int WAL_SENDERS_PER_DATABASE = 2;

    private final PgConnector connector;

    LogicalReplicationSetup(PgConnector connector) {
        this.connector = connector;
    }

    /**
     * What the source has now. {@code dataDirectory} and {@code binDirectory} are null when the user may not read
     * them (only superusers and pg_read_all_settings members may).
     */
    record Readiness(String address, String user, String walLevel, int maxSlots, int slotsUsed, int maxSenders,
                     int sendersUsed, int databases, String dataDirectory, String binDirectory) {

        boolean ready() {
            return "logical".equals(walLevel) && maxSlots - slotsUsed >= databases
                    && maxSenders - sendersUsed >= WAL_SENDERS_PER_DATABASE * databases;
        }

        /** What is missing, in words, e.g. "wal_level is replica (online migration needs logical)". */
        String problem() {
            List<String> problems = new ArrayList<>();
            if (!"logical".equals(walLevel)) {
                problems.add("wal_level is " + walLevel + " (online migration needs logical)");
            }
            if (maxSlots - slotsUsed < databases) {
                problems.add("max_replication_slots is " + maxSlots + " with " + slotsUsed + " in use (" + databases
                        + " needed)");
            }
            if (maxSenders - sendersUsed < WAL_SENDERS_PER_DATABASE * databases) {
                problems.add("max_wal_senders is " + maxSenders + " with " + sendersUsed + " in use ("
                        + WAL_SENDERS_PER_DATABASE * databases + " needed)");
            }
            return "On the source server " + address + ", " + String.join(", and ", problems) + ".";
        }

        /** The settings that make it ready (only raised, never lowered), in the order they are set. */
        Map<String, String> settings() {
            Map<String, String> settings = new LinkedHashMap<>();
            if (!"logical".equals(walLevel)) {
                settings.put("wal_level", "logical");
            }
            int slots = slotsUsed + databases + 2;
            if (maxSlots < slots) {
                settings.put("max_replication_slots", Integer.toString(slots));
            }
            int senders = sendersUsed + WAL_SENDERS_PER_DATABASE * databases + 2;
            if (maxSenders < senders) {
                settings.put("max_wal_senders", Integer.toString(senders));
            }
            return settings;
        }

        /** The ALTER SYSTEM statements that make it ready, for messages. */
        List<String> statements() {
            List<String> sql = new ArrayList<>();
            settings().forEach((name, value) -> sql.add("wal_level".equals(name)
                    ? "ALTER SYSTEM SET wal_level = 'logical'" : "ALTER SYSTEM SET " + name + " = " + value));
            return sql;
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
            String walLevel;
            int maxSlots;
            int maxSenders;
            try (ResultSet rs = s.executeQuery("SELECT current_setting('wal_level'), "
                    + "current_setting('max_replication_slots')::int, current_setting('max_wal_senders')::int, "
                    + "(SELECT count(*) FROM pg_catalog.pg_replication_slots)::int, "
                    + "(SELECT count(*) FROM pg_catalog.pg_stat_replication)::int")) {
                rs.next();
                walLevel = rs.getString(1);
                maxSlots = rs.getInt(2);
                maxSenders = rs.getInt(3);
                return new Readiness(source.address(), source.user(), walLevel, maxSlots, rs.getInt(4), maxSenders,
                        rs.getInt(5), databases, optional(s, "SELECT setting FROM pg_catalog.pg_settings WHERE name = "
                        + "'data_directory'"), optional(s, "SELECT setting FROM pg_catalog.pg_config WHERE name = 'BINDIR'"));
            }
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
