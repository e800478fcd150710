package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a source server can take an online migration of some databases now: {@code wal_level} is logical, and
 * enough replication slots and WAL senders are free. The one place that reads these settings and decides; the
 * premigration validation, the replication setup's refusal and the service's setup step each word the
 * {@link Verdict} their own way. Stateless.
 */
public final class SourceReadiness {

    /** Replication sessions one database's online migration holds at once: the snapshot holder and the receiver. */
    public static final int WAL_SENDERS_PER_DATABASE = 2;

    /**
     * Headroom added to what the settings are raised to, so that a slot left over from a failed attempt or one
     * extra walsender (a pg_basebackup, a standby reconnecting) does not block the migration right after a restart.
     */
    static final int HEADROOM = 2;

    private SourceReadiness() {
    }

    /**
     * Reads the settings and what is in use, on any database of the source, for {@code databases} databases to
     * migrate online. {@code ownSlot} (may be null) is not counted as in use: a leftover of the same migration that
     * the caller drops before it creates its slot again.
     */
    public static Verdict inspect(Connection source, int databases, String ownSlot) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("SELECT pg_catalog.current_setting('wal_level'),"
                + " pg_catalog.current_setting('max_replication_slots')::int,"
                + " pg_catalog.current_setting('max_wal_senders')::int,"
                + " (SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name IS DISTINCT FROM ?)::int,"
                + " (SELECT count(*) FROM pg_catalog.pg_stat_replication)::int")) {
            ps.setString(1, ownSlot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Verdict(rs.getString(1), rs.getInt(2), rs.getInt(4), rs.getInt(3), rs.getInt(5), databases);
            }
        }
    }

    /**
     * What the source has now, for {@code databases} databases, and what would make it ready.
     *
     * @param slotsUsed   replication slots that exist (the caller's own leftover excepted)
     * @param sendersUsed WAL sender processes running now
     */
    public record Verdict(String walLevel, int maxSlots, int slotsUsed, int maxSenders, int sendersUsed,
                          int databases) {

        public boolean logical() {
            return "logical".equals(walLevel);
        }

        public int slotsNeeded() {
            return databases;
        }

        public int sendersNeeded() {
            return WAL_SENDERS_PER_DATABASE * databases;
        }

        public boolean enoughSlots() {
            return maxSlots - slotsUsed >= slotsNeeded();
        }

        public boolean enoughSenders() {
            return maxSenders - sendersUsed >= sendersNeeded();
        }

        public boolean ready() {
            return logical() && enoughSlots() && enoughSenders();
        }

        /** What {@code max_replication_slots} is raised to: what is used, what is needed, and some headroom. */
        public int slotsToSet() {
            return slotsUsed + slotsNeeded() + HEADROOM;
        }

        /** What {@code max_wal_senders} is raised to: what is used, what is needed, and some headroom. */
        public int sendersToSet() {
            return sendersUsed + sendersNeeded() + HEADROOM;
        }

        /**
         * The settings that make the source ready, in the order they are set: a setting is only ever raised, never
         * lowered, and a count below the headroom is raised along with the others (it costs no extra restart). All
         * of them take effect only after a restart.
         */
        public Map<String, String> settings() {
            Map<String, String> settings = new LinkedHashMap<>();
            if (!logical()) {
                settings.put("wal_level", "logical");
            }
            if (maxSlots < slotsToSet()) {
                settings.put("max_replication_slots", Integer.toString(slotsToSet()));
            }
            if (maxSenders < sendersToSet()) {
                settings.put("max_wal_senders", Integer.toString(sendersToSet()));
            }
            return settings;
        }

        /** {@link #settings} as the ALTER SYSTEM statements a user runs, for messages. */
        public List<String> statements() {
            List<String> sql = new ArrayList<>();
            settings().forEach((name, value) -> sql.add(alterSystem(name, value)));
            return sql;
        }

        /** e.g. {@code ALTER SYSTEM SET wal_level = 'logical'}, {@code ALTER SYSTEM SET max_wal_senders = 12}. */
        public static String alterSystem(String name, String value) {
            return "wal_level".equals(name) ? "ALTER SYSTEM SET wal_level = 'logical'"
                    : "ALTER SYSTEM SET " + name + " = " + value;
        }
    }
}
