package org.pgmigrate.engine.cdc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.OwnTransaction;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what pgmigrate changed on a source ({@link SourceChanges}): drops the replication slot and the
 * publication, gives each table whose replica identity pgmigrate set to FULL its earlier identity back (only if it is
 * still FULL: an identity the user changed since is left as it is, and the report says so), and puts back the server
 * settings pgmigrate changed with ALTER SYSTEM (only if {@code postgresql.auto.conf} still holds pgmigrate's value,
 * and only where the server could still start afterwards), then reloads the configuration. The {@link Report} says
 * what was undone, what was not and why (with the SQL to run by hand), and what is left to retry.
 *
 * <p>Stateless apart from the source it was made for; thread-safe.
 */
public final class SourceUndo {

    private static final Logger LOG = LoggerFactory.getLogger(SourceUndo.class);
    /** How many table names a message lists before "and N more". */
    private static final int NAMES_SHOWN = 10;
    /** An ALTER TABLE that waits longer for its lock (a long query on the table) is retried later instead. */
    private static final String LOCK_TIMEOUT = "10s";

    private final PgEndpoint source;

    /** @param source the source server, with the database the changes were made in (null for server settings only) */
    public SourceUndo(PgEndpoint source) {
        this.source = source;
    }

    /**
     * What an undo did.
     *
     * @param done      what was undone, as clauses ("the replication slot and publication on the source were dropped")
     * @param left      what was not undone and why, with what to run by hand
     * @param remaining what is still to undo and worth retrying (the source unreachable, a lock not granted); a
     *                  change the user made since, or one that cannot be undone safely, is reported in {@code left}
     *                  but not retried
     */
    public record Report(String address, List<String> done, List<String> left, SourceChanges remaining) {

        public Report {
            done = List.copyOf(done);
            left = List.copyOf(left);
        }

        /** Nothing is left to retry. */
        public boolean complete() {
            return remaining.isEmpty();
        }

        /** The replication slot or the publication is still on the source. */
        public boolean replicationRemains() {
            return remaining.slot() != null || remaining.publication() != null;
        }

        /** Whether anything was undone or left: false when there was nothing to undo. */
        public boolean eventful() {
            return !done.isEmpty() || !left.isEmpty();
        }

        /** Sentences for a person: what was undone, then what was not. */
        public String describe() {
            StringBuilder s = new StringBuilder();
            if (!done.isEmpty()) {
                s.append(capitalized(String.join("; ", done))).append('.');
            }
            if (!left.isEmpty()) {
                s.append(s.isEmpty() ? "" : " ").append("Not undone on the source server ").append(address)
                        .append(": ").append(String.join("; ", left)).append('.');
            }
            return s.isEmpty() ? "Nothing was left to undo on the source." : s.toString();
        }

        private static String capitalized(String text) {
            return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
        }
    }

    /** Connects to the source and undoes {@code changes}; an unreachable source leaves everything to retry. */
    public Report undo(PgConnector connector, SourceChanges changes) {
        if (changes.isEmpty()) {
            return new Report(source.address(), List.of(), List.of(), SourceChanges.NONE);
        }
        PgEndpoint where = source.database() == null ? source.withDatabase("postgres") : source;
        Connection c;
        try {
            c = connector.open(where, PgConnector.Side.SOURCE, "cleanup");
        } catch (EngineException e) {
            if (e.error() != EngineError.DATABASE_NOT_FOUND) {
                return unreachable(changes, e.getMessage());
            }
            if (source.database() != null) {
                return databaseGone(connector, changes);
            }
            try {
                c = connector.open(source.withDatabase("template1"), PgConnector.Side.SOURCE, "cleanup");
            } catch (EngineException again) {
                return unreachable(changes, again.getMessage());
            }
        }
        try (Connection open = c) {
            return undo(open, changes);
        } catch (SQLException e) {
            return unreachable(changes, e.getMessage());
        }
    }

    /**
     * Undoes {@code changes} on {@code c}, a connection to the database they were made in. Each kind of change is
     * undone on its own: one that fails does not stop the others.
     */
    Report undo(Connection c, SourceChanges changes) throws SQLException {
        List<String> done = new ArrayList<>();
        List<String> left = new ArrayList<>();
        SourceChanges remaining = changes;
        int version;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('server_version_num')::int")) {
            rs.next();
            version = rs.getInt(1);
        }
        remaining = dropReplication(c, version, changes, remaining, done, left);
        try {
            remaining = restoreReplicaIdentities(c, changes.replicaIdentities(), remaining, done, left);
        } catch (SQLException e) {
            left.add("the replica identities pgmigrate set to FULL could not be restored yet (" + e.getMessage()
                    + "); pgmigrate retries");
        }
        try {
            // After the slot: whether wal_level may go back depends on the logical slots that are left.
            remaining = restoreSettings(c, changes.settings(), remaining, done, left);
        } catch (SQLException e) {
            left.add("the server settings pgmigrate changed could not be put back yet (" + e.getMessage()
                    + "); pgmigrate retries");
        }
        Report report = new Report(source.address(), done, left, remaining);
        LOG.info("Source cleanup on {}: {}", source.address(), report.describe());
        return report;
    }

    /** The report when the source cannot be reached: everything remains, with what to run by hand. */
    public Report unreachable(SourceChanges changes, String why) {
        List<String> left = new ArrayList<>();
        left.add("pgmigrate could not reach it (" + why + ")");
        String in = source.database() == null ? "" : " in database " + source.database();
        if (changes.slot() != null) {
            left.add("replication slot " + changes.slot() + " still holds the source's WAL; drop it with SELECT"
                    + " pg_catalog.pg_drop_replication_slot(" + Identifiers.literal(changes.slot()) + ");" + in + " on "
                    + source.address());
        }
        if (changes.publication() != null) {
            left.add("publication " + changes.publication() + " remains; drop it with DROP PUBLICATION IF EXISTS "
                    + Identifiers.quote(changes.publication()) + ";" + in + " on " + source.address());
        }
        if (!changes.replicaIdentities().isEmpty()) {
            List<String> statements = changes.replicaIdentities().stream()
                    .map(r -> "ALTER TABLE " + r.table() + " REPLICA IDENTITY " + identityClause(r.previous(),
                            r.previousIndex()) + ";").toList();
            if (statements.size() > NAMES_SHOWN) {
                LOG.warn("REPLICA IDENTITY FULL set by pgmigrate remains on {} tables of {} on {}; to restore them: {}",
                        statements.size(), source.database(), source.address(), String.join(" ", statements));
            }
            left.add(changes.replicaIdentities().size() + " table(s) still have the REPLICA IDENTITY FULL pgmigrate set"
                    + " (more WAL for their UPDATEs and DELETEs); to restore them run " + listed(statements, " ") + in
                    + (statements.size() > NAMES_SHOWN ? " (the log lists every statement)" : ""));
        }
        for (SourceChanges.SettingChange s : changes.settings()) {
            left.add(settingByHand(s, "it"));
        }
        return new Report(source.address(), List.of(), left, changes);
    }

    // ---- slot and publication ----

    private SourceChanges dropReplication(Connection c, int version, SourceChanges changes, SourceChanges remaining,
                                          List<String> done, List<String> left) {
        boolean slotDropped = false;
        boolean publicationDropped = false;
        if (changes.slot() != null) {
            try {
                slotDropped = new SourceSetup(source).dropSlot(c, changes.slot(), version, Duration.ofSeconds(10));
                remaining = remaining.withoutSlot();
            } catch (SQLException | RuntimeException e) {
                left.add("replication slot " + changes.slot() + " could not be dropped (" + e.getMessage() + ") and"
                        + " keeps the source's WAL until it is; run SELECT pg_catalog.pg_drop_replication_slot("
                        + Identifiers.literal(changes.slot()) + ");");
            }
        }
        if (changes.publication() != null) {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = ?");
                 Statement s = c.createStatement()) {
                exists.setString(1, changes.publication());
                try (ResultSet rs = exists.executeQuery()) {
                    publicationDropped = rs.next();
                }
                s.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(changes.publication()));
                remaining = remaining.withoutPublication();
            } catch (SQLException e) {
                left.add("publication " + changes.publication() + " could not be dropped (" + e.getMessage() + "); run"
                        + " DROP PUBLICATION IF EXISTS " + Identifiers.quote(changes.publication()) + "; in database "
                        + source.database());
            }
        }
        // Only what existed is reported: a prepare that stopped early created neither.
        if (slotDropped && publicationDropped) {
            done.add("the replication slot and publication on the source were dropped (" + changes.slot() + ")");
        } else if (slotDropped) {
            done.add("the replication slot " + changes.slot() + " on the source was dropped");
        } else if (publicationDropped) {
            done.add("the publication " + changes.publication() + " on the source was dropped");
        }
        return remaining;
    }

    /** The database is gone from the source: its publication and tables went with it, and no slot can refer to it. */
    private Report databaseGone(PgConnector connector, SourceChanges changes) {
        List<String> done = new ArrayList<>();
        done.add("database " + source.database() + " no longer exists on the source, and its publication and tables"
                + " went with it");
        SourceChanges rest = new SourceChanges(changes.slot(), null, List.of(), changes.settings());
        if (rest.isEmpty()) {
            return new Report(source.address(), done, List.of(), SourceChanges.NONE);
        }
        Report server = new SourceUndo(source.withDatabase(null)).undo(connector, rest);
        List<String> all = new ArrayList<>(done);
        all.addAll(server.done());
        return new Report(source.address(), all, server.left(), server.remaining());
    }

    // ---- replica identity ----

    /** A table as it is now: {@code name} quoted for SQL, {@code shown} as psql shows it. */
    private record TableNow(String name, String shown, char identity, Set<String> indexes) {
    }

    private SourceChanges restoreReplicaIdentities(Connection c, List<SourceChanges.ReplicaIdentityChange> changes,
                                                   SourceChanges remaining, List<String> done, List<String> left)
            throws SQLException {
        if (changes.isEmpty()) {
            return remaining;
        }
        Map<Long, TableNow> now = tablesNow(c, changes);
        List<String> restored = new ArrayList<>();
        List<String> changedByUser = new ArrayList<>();
        Set<Long> settled = new HashSet<>();
        int gone = 0;
        List<String> failed = new ArrayList<>();
        for (SourceChanges.ReplicaIdentityChange change : changes) {
            TableNow table = now.get(change.tableOid());
            if (table == null) {
                gone++;
                settled.add(change.tableOid());
                continue;
            }
            if (table.identity() != 'f') {
                settled.add(change.tableOid());
                if (table.identity() != change.previous()) {
                    changedByUser.add(table.shown() + " (" + identityName(table.identity()) + ")");
                }
                continue;
            }
            String index = change.previous() == 'i' && change.previousIndex() != null
                    && table.indexes().contains(change.previousIndex()) ? change.previousIndex() : null;
            char target = change.previous() == 'i' && index == null ? 'd' : change.previous();
            try {
                alterIdentity(c, table.name(), identityClause(target, index));
                settled.add(change.tableOid());
                restored.add(table.shown() + " (" + identityName(target) + (index == null ? "" : " " + index)
                        + (change.previous() == 'i' && index == null ? ", since its earlier replica identity index is"
                        + " gone" : "") + ")");
            } catch (SQLException e) {
                failed.add("ALTER TABLE " + table.name() + " REPLICA IDENTITY " + identityClause(target, index) + "; ("
                        + e.getMessage() + ")");
            }
        }
        if (!restored.isEmpty()) {
            done.add("the replica identity pgmigrate had set to FULL was restored on " + restored.size() + " table"
                    + (restored.size() == 1 ? "" : "s") + ": " + listed(restored, ", "));
        }
        if (gone > 0) {
            done.add(gone + " table" + (gone == 1 ? "" : "s") + " pgmigrate had set to REPLICA IDENTITY FULL no longer"
                    + " exist" + (gone == 1 ? "s" : ""));
        }
        if (!changedByUser.isEmpty()) {
            left.add("the replica identity of " + listed(changedByUser, ", ") + " was changed since pgmigrate set it to"
                    + " FULL, so it was left as it is");
        }
        if (!failed.isEmpty()) {
            left.add("the REPLICA IDENTITY FULL pgmigrate set could not be restored yet on " + failed.size() + " table"
                    + (failed.size() == 1 ? "" : "s") + " (pgmigrate retries); to do it by hand run "
                    + listed(failed, " "));
        }
        return remaining.withoutReplicaIdentities(settled);
    }

    private static Map<Long, TableNow> tablesNow(Connection c, List<SourceChanges.ReplicaIdentityChange> changes)
            throws SQLException {
        Map<Long, TableNow> now = new HashMap<>();
        Long[] oids = changes.stream().map(SourceChanges.ReplicaIdentityChange::tableOid).toArray(Long[]::new);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT c.oid::bigint, n.nspname, c.relname, c.relreplident::text,
                       ARRAY(SELECT ic.relname::text FROM pg_catalog.pg_index i
                               JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                              WHERE i.indrelid = c.oid) AS indexes
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = ANY (?::pg_catalog.oid[]) AND c.relkind IN ('r', 'p')""")) {
            Array array = c.createArrayOf("int8", oids);
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Set<String> indexes = new HashSet<>(List.of((String[]) rs.getArray(5).getArray()));
                    now.put(rs.getLong(1), new TableNow(Identifiers.qualified(rs.getString(2), rs.getString(3)),
                            Identifiers.forMessage(rs.getString(2), rs.getString(3)), rs.getString(4).charAt(0),
                            indexes));
                }
            }
        }
        return now;
    }

    /**
     * On the target of a cutover: tables (found by name) that are at FULL get {@code changes}' earlier identity.
     * Returns how many; a failure is logged, not thrown (the data is migrated; this is housekeeping).
     */
    static int restoreOnTarget(Connection target, List<SourceChanges.ReplicaIdentityChange> changes) {
        int restored = 0;
        for (SourceChanges.ReplicaIdentityChange change : changes) {
            try (PreparedStatement ps = target.prepareStatement("SELECT c.relreplident::text = 'f',"
                    + " (SELECT ic.relname::text FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic"
                    + " ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid AND ic.relname = ?)"
                    + " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(?)")) {
                ps.setString(1, change.previousIndex() == null ? "" : change.previousIndex());
                ps.setString(2, change.table());
                String index;
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        continue;
                    }
                    index = rs.getString(2);
                }
                char identity = change.previous() == 'i' && index == null ? 'd' : change.previous();
                alterIdentity(target, change.table(), identityClause(identity, index));
                restored++;
            } catch (SQLException e) {
                LOG.warn("Could not give {} on the target its replica identity before pgmigrate set FULL: {}",
                        change.table(), e.getMessage());
            }
        }
        return restored;
    }

    /** One ALTER TABLE in its own transaction, waiting at most {@link #LOCK_TIMEOUT} for the table's lock. */
    private static void alterIdentity(Connection c, String table, String clause) throws SQLException {
        OwnTransaction.run(c, "SET LOCAL lock_timeout = " + Identifiers.literal(LOCK_TIMEOUT),
                "ALTER TABLE " + table + " REPLICA IDENTITY " + clause);
    }

    /** The clause after REPLICA IDENTITY; {@code index} is the unquoted index name for {@code i}. */
    static String identityClause(char identity, String index) {
        return switch (identity) {
            case 'n' -> "NOTHING";
            case 'f' -> "FULL";
            case 'i' -> index == null ? "DEFAULT" : "USING INDEX " + Identifiers.quote(index);
            default -> "DEFAULT";
        };
    }

    private static String identityName(char identity) {
        return switch (identity) {
            case 'n' -> "NOTHING";
            case 'f' -> "FULL";
            case 'i' -> "USING INDEX";
            default -> "DEFAULT";
        };
    }

    // ---- server settings ----

    private SourceChanges restoreSettings(Connection c, List<SourceChanges.SettingChange> settings,
                                          SourceChanges remaining, List<String> done, List<String> left)
            throws SQLException {
        boolean changed = false;
        Set<String> settled = new HashSet<>();
        for (SourceChanges.SettingChange s : settings) {
            settled.add(s.name());
            if (!s.previousKnown()) {
                left.add(settingByHand(s, "pgmigrate could not read what postgresql.auto.conf held before"));
                continue;
            }
            AlterSystem.AutoConfEntry now = AlterSystem.autoConf(c, s.name());
            if (!now.known()) {
                left.add(settingByHand(s, "user " + source.user() + " may not read postgresql.auto.conf"
                        + " (pg_file_settings)"));
                continue;
            }
            if (same(now.value(), s.previous())) {
                continue; // put back already
            }
            if (!same(now.value(), s.value())) {
                left.add(s.name() + " is " + (now.value() == null ? "no longer set" : "'" + now.value() + "'")
                        + " in postgresql.auto.conf, not the '" + s.value() + "' pgmigrate set, so it was left as it is");
                continue;
            }
            String after = s.previous() != null ? s.previous() : valueWithoutAutoConf(c, s.name());
            String unsafe = unsafeToRestore(c, s.name(), after);
            if (unsafe != null) {
                left.add(s.name() + " stays '" + s.value() + "': " + unsafe);
                continue;
            }
            try (Statement st = c.createStatement()) {
                String sql = s.previous() == null ? "ALTER SYSTEM RESET " + Identifiers.quote(s.name())
                        : AlterSystem.statement(s.name(), s.previous());
                st.execute(sql);
                changed = true;
                String live = currentSetting(c, s.name());
                done.add((s.previous() == null ? "ALTER SYSTEM RESET " + s.name() : "ALTER SYSTEM SET " + s.name()
                        + " = '" + s.previous() + "'") + " was run on the source server " + source.address()
                        + " (pgmigrate had set it to '" + s.value() + "')" + (same(live, after)
                        ? ", before pgmigrate's value ever took effect"
                        : "; " + s.name() + "=" + live + " stays in effect until the source restarts"
                        + ("wal_level".equals(s.name()) ? " (before restarting, check that no logical replication"
                        + " slot was created meanwhile: PostgreSQL does not start with a lower wal_level while one"
                        + " exists)" : "")));
            } catch (SQLException e) {
                settled.remove(s.name());
                left.add(settingByHand(s, "ALTER SYSTEM failed: " + e.getMessage()));
            }
        }
        if (changed) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_catalog.pg_reload_conf()");
            } catch (SQLException e) {
                LOG.debug("pg_reload_conf() on {}: {}", source.address(), e.getMessage());
            }
        }
        return remaining.withoutSettings(settled);
    }

    /** Why putting {@code name} back to {@code after} would stop the server from starting, or null. */
    private static String unsafeToRestore(Connection c, String name, String after) throws SQLException {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "wal_level" -> {
                if ("logical".equalsIgnoreCase(after)) {
                    return null;
                }
                String slots = text(c, "SELECT pg_catalog.string_agg(slot_name::text, ', ' ORDER BY slot_name)"
                        + " FROM pg_catalog.pg_replication_slots WHERE slot_type = 'logical'");
                if (slots != null) {
                    return "logical replication slots exist on the server (" + slots + "), and PostgreSQL does not"
                            + " start with wal_level below logical while they do. Once they are gone, run ALTER"
                            + " SYSTEM RESET wal_level; and restart the source to undo it";
                }
                if ("minimal".equalsIgnoreCase(after)) {
                    return "putting back wal_level=minimal could stop the server from starting (WAL senders need"
                            + " replica); check postgresql.conf and run ALTER SYSTEM RESET wal_level; yourself";
                }
                return null;
            }
            case "max_replication_slots" -> {
                long slots = Long.parseLong(text(c, "SELECT count(*) FROM pg_catalog.pg_replication_slots"));
                if (after != null && after.matches("\\d+") && Long.parseLong(after) < slots) {
                    return "the server has " + slots + " replication slots, and PostgreSQL does not start with fewer"
                            + " max_replication_slots. Once some are gone, run ALTER SYSTEM RESET max_replication_slots;"
                            + " and restart the source to undo it";
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /** The value the server takes for {@code name} when postgresql.auto.conf does not set it. */
    private static String valueWithoutAutoConf(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT setting FROM pg_catalog.pg_file_settings"
                + " WHERE lower(name) = lower(?) AND sourcefile NOT LIKE '%postgresql.auto.conf'"
                + " ORDER BY seqno DESC LIMIT 1")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT boot_val FROM pg_catalog.pg_settings WHERE name = ?")) {
            ps.setString(1, name.toLowerCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String currentSetting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.current_setting(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private String settingByHand(SourceChanges.SettingChange s, String why) {
        String undo = s.previous() == null ? "ALTER SYSTEM RESET " + s.name() + ";"
                : AlterSystem.statement(s.name(), s.previous()) + ";";
        return "pgmigrate set " + s.name() + " = '" + s.value() + "' with ALTER SYSTEM on " + source.address() + " and "
                + why + "; " + (s.previousKnown() ? "to undo it run " + undo
                : "check postgresql.auto.conf and run ALTER SYSTEM RESET " + s.name() + "; (or set it back)")
                + " and restart the source";
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : b != null && a.trim().equalsIgnoreCase(b.trim());
    }

    /** At most {@link #NAMES_SHOWN} items, then "and N more". */
    static String listed(List<String> items, String separator) {
        if (items.size() <= NAMES_SHOWN) {
            return String.join(separator, items);
        }
        return String.join(separator, items.subList(0, NAMES_SHOWN)) + separator + "and " + (items.size() - NAMES_SHOWN)
                + " more";
    }
}
