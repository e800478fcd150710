package org.pgmigrate.engine.precheck;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.SourceReadiness;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.pg.SupportedVersions;
import org.pgmigrate.engine.schema.PgTools;

/**
 * Server-level checks on two open sessions: versions and client tools, server parameters for online mode, and the
 * migration users' privileges. Stateless; every query is set-based.
 */
final class ServerChecks {

    private ServerChecks() {
    }

    static CheckResult versions(ServerVersion source, ServerVersion target, boolean online,
                                List<java.nio.file.Path> toolSearchPath) {
        CheckResult.Builder check = new CheckResult.Builder("SourceVersionValidation");
        Optional<String> unsupported = SupportedVersions.sourceProblem(source, "server")
                .or(() -> SupportedVersions.targetProblem(target, "server"));
        if (unsupported.isPresent()) {
            return check.fail(unsupported.get()).build();
        }
        if (target.major() < source.major()) {
            check.fail("The target runs PostgreSQL " + target + ", older than the source's " + source + ". Migrating to an"
                    + " older major version is not supported: use a target running PostgreSQL " + source.majorName()
                    + " or newer.");
        } else {
            check.ok("Source PostgreSQL " + source + ", target PostgreSQL " + target + ".");
        }
        if (online) {
            Optional<String> offlineOnly = SupportedVersions.onlineProblem(source);
            if (offlineOnly.isPresent()) {
                check.fail("Online migration is not possible from this source: " + offlineOnly.get());
            } else if (!source.atLeast(11)) {
                check.warn("PostgreSQL " + source.majorName() + " does not replicate TRUNCATE (pgoutput carries it from"
                        + " 11 on): a table truncated on the source after the migration starts keeps its rows on the"
                        + " target. Do not TRUNCATE during the migration (DELETE is replicated), or upgrade the source"
                        + " to 11 or newer first.");
            }
        }
        try {
            PgTools tools = PgTools.forMigration(source, target, toolSearchPath);
            check.ok("pg_dump and pg_restore " + tools.major() + " (" + tools.binDir() + ") can read the source and"
                    + " restore into the target.");
        } catch (EngineException e) {
            check.fail(e.getMessage());
        }
        return check.build();
    }

    static CheckResult parameters(Connection source, ServerVersion sourceVersion, Connection target, boolean online,
                                  int databases) throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder("ServerParametersValidation");
        if ("on".equals(setting(target, "default_transaction_read_only"))) {
            check.fail("The target has default_transaction_read_only = on, so nothing can be written. Turn it off"
                    + " (ALTER SYSTEM SET default_transaction_read_only = off; SELECT pg_reload_conf()).");
        }
        if (!online) {
            check.ok("Offline migration: no replication settings are needed on the source.");
            return check.build();
        }
        SourceReadiness.Verdict readiness = SourceReadiness.inspect(source, databases, null);
        if (!readiness.logical()) {
            check.warn("The source has wal_level = " + readiness.walLevel() + "; online migration needs logical. The"
                    + " migration will wait in WaitingForLogicalReplicationSetupRequestOnSourceDB until it is set: run"
                    + " 'pgmigrate migration update --setup-replication' (restarts the source through its registered"
                    + " restart command) or ALTER SYSTEM SET wal_level = logical and restart the source yourself.");
        } else {
            check.ok("wal_level = logical.");
        }
        if (!readiness.enoughSlots()) {
            check.fail("max_replication_slots is " + readiness.maxSlots() + " with " + readiness.slotsUsed()
                    + " in use; this migration needs " + readiness.slotsNeeded() + " free. Raise it (ALTER SYSTEM SET"
                    + " max_replication_slots = " + readiness.slotsToSet() + ") and restart the source, or drop unused"
                    + " slots (pg_drop_replication_slot).");
        } else {
            check.ok("max_replication_slots = " + readiness.maxSlots() + " (" + readiness.slotsUsed() + " in use, "
                    + readiness.slotsNeeded() + " needed).");
        }
        if (!readiness.enoughSenders()) {
            check.fail("max_wal_senders is " + readiness.maxSenders() + " with " + readiness.sendersUsed() + " in use;"
                    + " this migration needs " + readiness.sendersNeeded() + " free ("
                    + SourceReadiness.WAL_SENDERS_PER_DATABASE + " per database). Raise it (ALTER SYSTEM SET"
                    + " max_wal_senders = " + readiness.sendersToSet() + ") and restart the source.");
        } else {
            check.ok("max_wal_senders = " + readiness.maxSenders() + " (" + readiness.sendersUsed() + " in use, "
                    + readiness.sendersNeeded() + " needed).");
        }
        if (sourceVersion.atLeast(13)) {
            String keep = setting(source, "max_slot_wal_keep_size");
            if (!"-1".equals(keep)) {
                check.warn("max_slot_wal_keep_size = " + keep + "MB: if the migration falls further behind, the source"
                        + " invalidates its slot and the migration fails. Set it to -1 for the migration, or make sure"
                        + " the source has the disk for the WAL written during the copy.");
            }
        }
        int senderTimeout = Integer.parseInt(setting(source, "wal_sender_timeout"));
        if (senderTimeout > 0 && senderTimeout < 30_000) {
            check.warn("wal_sender_timeout = " + senderTimeout + "ms is short; a busy network can end the replication"
                    + " session. 60s or more (or 0) is recommended.");
        }
        List<String> longRunning = strings(source, "SELECT pid || ' (' || coalesce(usename, '?') || ', since '"
                + " || to_char(xact_start, 'YYYY-MM-DD HH24:MI:SS') || ')' FROM pg_catalog.pg_stat_activity"
                + " WHERE xact_start < now() - interval '5 minutes' AND pid <> pg_backend_pid() ORDER BY xact_start LIMIT 5");
        if (!longRunning.isEmpty()) {
            check.warn("Transactions open for more than 5 minutes: " + String.join(", ", longRunning) + ". Creating the"
                    + " replication slot waits until they end; finish or cancel them (pg_cancel_backend) before starting.");
        }
        int prepared = intQuery(source, "SELECT count(*) FROM pg_catalog.pg_prepared_xacts");
        if (prepared > 0) {
            check.warn(prepared + " prepared transaction(s) on the source block the creation of the replication slot:"
                    + " COMMIT PREPARED or ROLLBACK PREPARED them (see pg_prepared_xacts).");
        }
        return check.build();
    }

    static CheckResult privileges(Connection source, Connection target, ServerVersion targetVersion, boolean online,
                                  RolePlan roles) throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder("UserPrivilegesValidation");
        String[] s = role(source);
        String[] t = role(target);
        boolean sourceSuper = "t".equals(s[1]);
        boolean targetSuper = "t".equals(t[1]);
        if (online && !sourceSuper && !"t".equals(s[2])) {
            check.fail("The source user " + s[0] + " lacks the REPLICATION attribute that online migration needs."
                    + " Run ALTER ROLE " + s[0] + " WITH REPLICATION on the source.");
        }
        if (!targetSuper && !"t".equals(t[3])) {
            check.fail("The target user " + t[0] + " cannot create databases. Run ALTER ROLE " + t[0] + " CREATEDB on the"
                    + " target.");
        }
        if (roles.migrated() && !targetSuper && !"t".equals(t[4])) {
            check.fail("Roles are to be migrated but the target user " + t[0] + " lacks CREATEROLE. Run ALTER ROLE "
                    + t[0] + " CREATEROLE on the target, or do not migrate roles.");
        }
        if (online && !targetSuper) {
            boolean canSet = targetVersion.atLeast(15) && "t".equals(stringQuery(target,
                    "SELECT has_parameter_privilege(current_user, 'session_replication_role', 'SET')::text::char"));
            if (!canSet) {
                check.fail("The target user " + t[0] + " cannot set session_replication_role, which keeps target triggers"
                        + " from firing while changes are applied. Use a superuser, or on PostgreSQL 15+ run GRANT SET ON"
                        + " PARAMETER session_replication_role TO " + t[0] + ".");
            }
        }
        check.ok("Source user " + s[0] + (sourceSuper ? " (superuser)" : "") + ", target user " + t[0]
                + (targetSuper ? " (superuser)" : "") + ".");
        return check.build();
    }

    /** name, super, replication, createdb, createrole as 't'/'f'. */
    private static String[] role(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT rolname, rolsuper::text::char,"
                + " rolreplication::text::char, rolcreatedb::text::char, rolcreaterole::text::char"
                + " FROM pg_catalog.pg_roles WHERE rolname = current_user")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)};
        }
    }

    /** A setting's raw value in its base unit (ms, MB...), as pg_settings shows it. */
    static String setting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT setting FROM pg_catalog.pg_settings WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static int intQuery(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static String stringQuery(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The qualified names, for messages, of a query's (schema, name) rows; quoted here, not by server functions. */
    static List<String> qualifiedNames(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(org.pgmigrate.engine.pg.Identifiers.forMessage(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }

    static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
