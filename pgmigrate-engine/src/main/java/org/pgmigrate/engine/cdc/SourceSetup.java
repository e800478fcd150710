package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.QualifiedName;
import org.pgmigrate.engine.catalog.TableSelection;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.pg.SupportedVersions;
import org.pgmigrate.engine.pg.WalFlush;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything done on the source outside the change stream: readiness checks, replica identities, the publication,
 * the slot with its exported snapshot, slot health, and cleanup. Stateless; each call uses the connection given.
 */
final class SourceSetup {

    private static final Logger LOG = LoggerFactory.getLogger(SourceSetup.class);

    private final PgEndpoint source;

    SourceSetup(PgEndpoint source) {
        this.source = source;
    }

    /**
     * Checks the version (online needs 10 or newer: pgoutput and publications) and {@link SourceReadiness}: wal_level,
     * and a free replication slot when {@code newSlot} is to be created (a leftover of that name does not count: it
     * is dropped first); returns server_version_num. Runs before anything is created on the source. WAL senders are
     * not refused here: one that just ended may still be counted, and a replication connection beyond
     * max_wal_senders fails with the server's own clear message.
     *
     * @param newSlot the slot {@code prepare} creates, or null on a resume (the slot exists already)
     */
    int checkReady(Connection c, String newSlot) throws SQLException {
        int version;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('server_version_num')::int")) {
            rs.next();
            version = rs.getInt(1);
        }
        SupportedVersions.requireOnline(new ServerVersion(version), source.address());
        SourceReadiness.Verdict readiness = SourceReadiness.inspect(c, 1, newSlot);
        if (!readiness.logical()) {
            throw new EngineException(EngineError.LOGICAL_REPLICATION_NOT_ENABLED, "The source server "
                    + source.address() + " has wal_level=" + readiness.walLevel() + "; online migration needs"
                    + " wal_level=logical. Run ALTER SYSTEM SET wal_level = logical; on the source and restart it,"
                    + " then retry.");
        }
        if (newSlot != null && !readiness.enoughSlots()) {
            throw new EngineException(EngineError.LOGICAL_REPLICATION_NOT_ENABLED, "The source server "
                    + source.address() + " has no free replication slot: max_replication_slots is "
                    + readiness.maxSlots() + " with " + readiness.slotsUsed() + " in use. Drop unused slots"
                    + " (pg_drop_replication_slot), or raise it (ALTER SYSTEM SET max_replication_slots = "
                    + readiness.slotsToSet() + ") and restart the source, then retry. Nothing was created.");
        }
        return version;
    }

    /**
     * Tables whose UPDATE and DELETE cannot be replicated: no primary key and no usable replica identity, or an
     * identity index with a generated column, which pgoutput does not send (so the key would arrive incomplete); with
     * the identity each has now (what {@link #setReplicaIdentityFull} changes, and {@link SourceUndo} puts back).
     */
    List<KeylessTable> tablesWithoutReplicaIdentity(Connection c) throws SQLException {
        String generatedKey = c.getMetaData().getDatabaseMajorVersion() >= 12 ? """
                        OR EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                     JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                                    WHERE i.indrelid = c.oid AND a.attgenerated <> ''
                                      AND CASE c.relreplident WHEN 'd' THEN i.indisprimary
                                                              WHEN 'i' THEN i.indisreplident ELSE false END)
                """ : "";
        List<KeylessTable> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT c.oid::bigint, n.nspname, c.relname, c.relreplident::text,
                       (SELECT ic.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                         WHERE i.indrelid = c.oid AND i.indisreplident)
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'r' AND c.relpersistence = 'p'
                   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND n.nspname !~ '^pg_(toast|temp)'
                   AND (c.relreplident = 'n'
                        OR (c.relreplident = 'd' AND NOT EXISTS (
                              SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
                        OR (c.relreplident = 'i' AND NOT EXISTS (
                              SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident))
                """ + generatedKey + """
                       )
                 ORDER BY n.nspname, c.relname""")) {
            while (rs.next()) {
                // An 'i' here has lost its index, or its index has a generated column (then it is recorded).
                tables.add(new KeylessTable(new SourceChanges.ReplicaIdentityChange(rs.getLong(1),
                        Identifiers.qualified(rs.getString(2), rs.getString(3)), rs.getString(4).charAt(0),
                        rs.getString(5)),
                        Identifiers.forMessage(rs.getString(2), rs.getString(3))));
            }
        }
        return tables;
    }

    /** A table without a usable replica identity: what setting FULL on it changes, and its name for messages. */
    record KeylessTable(SourceChanges.ReplicaIdentityChange change, String name) {
    }

    /** Sets REPLICA IDENTITY FULL on each table; record them first (see OnlineReplication.prepare). */
    void setReplicaIdentityFull(Connection c, List<SourceChanges.ReplicaIdentityChange> tables) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (SourceChanges.ReplicaIdentityChange table : tables) {
                // Quoted by tablesWithoutReplicaIdentity.
                s.execute("ALTER TABLE " + table.table() + " REPLICA IDENTITY FULL");
                LOG.info("Set REPLICA IDENTITY FULL on source table {} (allowReplicaIdentityFull)", table.table());
            }
        } catch (SQLException e) {
            throw new EngineException(EngineError.INSUFFICIENT_PRIVILEGE, "Cannot set REPLICA IDENTITY FULL on the"
                    + " source tables " + String.join(", ", tables.stream().map(SourceChanges.ReplicaIdentityChange::table)
                    .toList()) + ": " + e.getMessage() + ". Run it as the tables' owner, or add primary keys.", e);
        }
    }

    /**
     * Creates the publication (dropping a leftover of the same name). FOR ALL TABLES when the user may, so that a
     * table created on the source during replication shows up in the stream and is detected; otherwise a list of
     * today's tables: partitioned tables from 13 on (their partitions' changes come with them), each partition
     * before 13, which cannot publish a partitioned table. With filters, the tables whose rows are copied, each
     * partition by itself (so a partition left out of a partitioned table stays out), whoever the user is: changes to
     * the other tables are then never sent.
     */
    void createPublication(Connection c, String name, int sourceVersion, TableSelection selection)
            throws SQLException {
        dropPublication(c, name);
        if (!selection.everything()) {
            List<String> tables = selection.publishedTables().stream().map(QualifiedName::quoted).toList();
            LOG.info("Publication {} lists the {} tables the filters migrate with their rows", name, tables.size());
            try (Statement s = c.createStatement()) {
                s.execute("CREATE PUBLICATION " + Identifiers.quote(name)
                        + (tables.isEmpty() ? "" : " FOR TABLE " + String.join(", ", tables)));
            } catch (SQLException e) {
                throw publicationRefused(name, e);
            }
            return;
        }
        boolean superuser;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")) {
            superuser = rs.next() && rs.getBoolean(1);
        }
        try (Statement s = c.createStatement()) {
            if (superuser) {
                s.execute("CREATE PUBLICATION " + Identifiers.quote(name) + " FOR ALL TABLES");
                return;
            }
            List<String> tables = new ArrayList<>();
            String publishable = sourceVersion >= 130000 ? "c.relkind IN ('r', 'p') AND NOT c.relispartition"
                    : "c.relkind = 'r'";
            try (ResultSet rs = s.executeQuery("""
                    SELECT n.nspname, c.relname
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE %s AND c.relpersistence = 'p'
                       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
                     ORDER BY 1, 2""".formatted(publishable))) {
                while (rs.next()) {
                    tables.add(Identifiers.qualified(rs.getString(1), rs.getString(2)));
                }
            }
            LOG.warn("The source user is not a superuser: publication {} lists the {} tables that exist now, so a"
                    + " table created during replication would not be detected", name, tables.size());
            s.execute("CREATE PUBLICATION " + Identifiers.quote(name)
                    + (tables.isEmpty() ? "" : " FOR TABLE " + String.join(", ", tables)));
        } catch (SQLException e) {
            throw publicationRefused(name, e);
        }
    }

    private SQLException publicationRefused(String name, SQLException e) {
        if ("42501".equals(e.getSQLState())) {
            throw new EngineException(EngineError.INSUFFICIENT_PRIVILEGE, "Cannot create publication " + name
                    + " on the source server " + source.address() + ": " + e.getMessage() + ". The source user"
                    + " needs to own the tables (or be a superuser) and have CREATE on the database.", e);
        }
        return e;
    }

    void dropPublication(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP PUBLICATION IF EXISTS " + Identifiers.quote(name));
        }
    }

    /**
     * Runs CREATE_REPLICATION_SLOT with an exported snapshot on a replication connection, in the syntax the source
     * version takes. After this nothing may be sent on {@code replication} until the copy is done: any command ends
     * the snapshot.
     */
    SlotSnapshot createSlot(Connection replication, String slot, String publication, int sourceVersion,
                            Duration timeout) throws SQLException {
        try (Statement s = replication.createStatement()) {
            // Server-wide timeouts must not abort slot creation or kill the idle snapshot holder.
            s.execute("SET statement_timeout = 0");
            s.execute("SET idle_in_transaction_session_timeout = 0");
            if (sourceVersion >= 140000) {
                s.execute("SET idle_session_timeout = 0");
            }
            s.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toSeconds())));
            String command = "CREATE_REPLICATION_SLOT " + Identifiers.quote(slot) + " LOGICAL pgoutput "
                    + (sourceVersion >= 150000 ? "(SNAPSHOT 'export')" : "EXPORT_SNAPSHOT");
            try (ResultSet rs = s.executeQuery(command)) {
                rs.next();
                Lsn consistentPoint = Lsn.parse(rs.getString("consistent_point"));
                String snapshot = rs.getString("snapshot_name");
                LOG.info("Created replication slot {} at {} with exported snapshot {}", slot, consistentPoint, snapshot);
                return new SlotSnapshot(slot, publication, snapshot, consistentPoint);
            }
        } catch (SQLException e) {
            if ("57014".equals(e.getSQLState())) {
                throw new EngineException(EngineError.REPLICATION_FAILED, "Creating replication slot " + slot + " on"
                        + " the source server " + source.address() + " waited more than " + timeout.toSeconds()
                        + " s for transactions that were running when it started. Finish or terminate long-running"
                        + " and idle-in-transaction sessions (pg_stat_activity) and prepared transactions"
                        + " (pg_prepared_xacts), then retry.", e);
            }
            if ("53400".equals(e.getSQLState())) {
                throw new EngineException(EngineError.REPLICATION_FAILED, "Cannot create replication slot " + slot
                        + " on the source server " + source.address() + ": " + e.getMessage() + ". Raise"
                        + " max_replication_slots (and max_wal_senders) on the source, or drop unused slots.", e);
            }
            throw e;
        }
    }

    /** The slot as the source sees it, or null if it does not exist. */
    SlotStatus slotStatus(Connection c, String slot, int sourceVersion) throws SQLException {
        String walStatus = sourceVersion >= 130000 ? "wal_status" : "NULL::text";
        try (PreparedStatement ps = c.prepareStatement("SELECT active_pid, confirmed_flush_lsn::text, " + walStatus
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                int pid = rs.getInt(1);
                String confirmed = rs.getString(2);
                return new SlotStatus(rs.wasNull() ? 0 : pid, confirmed == null ? Lsn.INVALID : Lsn.parse(confirmed),
                        rs.getString(3));
            }
        }
    }

    record SlotStatus(int activePid, Lsn confirmedFlush, String walStatus) {
        boolean lost() {
            return "lost".equals(walStatus);
        }
    }

    /** The EngineException for a slot that is gone or invalidated. */
    EngineException slotLost(String slot, SlotStatus status, Throwable cause) {
        String what = status == null ? "no longer exists (was it dropped?)"
                : "was invalidated (wal_status=lost: the source removed WAL it still needed, see max_slot_wal_keep_size)";
        return new EngineException(EngineError.REPLICATION_SLOT_LOST, "Replication slot " + slot + " on the source"
                + " server " + source.address() + " " + what + ". Changes since the last applied position cannot be"
                + " recovered; start the migration again.", cause);
    }

    /** Drops the slot, first ending whatever walsender still holds it; true if it existed. */
    boolean dropSlot(Connection c, String slot, int sourceVersion, Duration wait) throws SQLException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            SlotStatus status = slotStatus(c, slot, sourceVersion);
            if (status == null) {
                return false;
            }
            if (status.activePid() != 0) {
                if (System.nanoTime() > deadline) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                        ps.setInt(1, status.activePid());
                        ps.execute();
                    }
                }
                // A walsender whose client just left exits within milliseconds: the cutover waits on this poll.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                ps.setString(1, slot);
                ps.execute();
                LOG.info("Dropped replication slot {} on the source", slot);
                return true;
            } catch (SQLException e) {
                // 55006: it became active again between the check and the drop (a walsender still exiting)
                if (!"55006".equals(e.getSQLState()) && !"42704".equals(e.getSQLState())) {
                    throw e;
                }
                if ("42704".equals(e.getSQLState())) {
                    return false;
                }
            }
        }
    }

    /** The source's current WAL insert position: every commit visible now ends at or before it. */
    Lsn currentInsertLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    Lsn currentLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /**
     * Writes a small non-transactional WAL record so the source's WAL (and the walsender's position) moves past
     * {@code pg_current_wal_insert_lsn()} even on an idle server; the receiver skips the message itself. Then
     * flushes it: a walsender sends only flushed WAL, and on an idle server nothing else would flush that record
     * before the WAL writer's next round (up to {@code wal_writer_delay}, 200 ms by default, which the cutover waited).
     * The flush is an empty transaction's commit ({@link WalFlush}); decoding sends it as an empty transaction, or
     * nothing.
     */
    void nudgeWal(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_catalog.pg_logical_emit_message(false, 'pgmigrate', 'cutover')");
        }
        WalFlush.flush(c);
    }
}
