package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pgmigrate.engine.pg.Identifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server settings changed with {@code ALTER SYSTEM}, recorded first: for each setting, what
 * {@code postgresql.auto.conf} held before goes into the {@link SourceChangeLog}, and only then is the setting
 * changed, so that {@link SourceUndo} can put it back (or reset it) when the migration ends without a cutover.
 * Stateless.
 */
public final class AlterSystem {

    private static final Logger LOG = LoggerFactory.getLogger(AlterSystem.class);

    private AlterSystem() {
    }

    /** An entry of {@code postgresql.auto.conf}: {@code known} false when it could not be read. */
    record AutoConfEntry(boolean known, String value) {
    }

    /**
     * Runs {@code ALTER SYSTEM SET name = value} for each setting on {@code c}, in order, after recording in
     * {@code log} what {@code postgresql.auto.conf} held for each. Throws the server's error (e.g. 42501 when the
     * user may not); what was recorded but not changed is harmless to undo (the entry is still the earlier one).
     */
    public static void set(Connection c, Map<String, String> settings, SourceChangeLog log) throws SQLException {
        List<SourceChanges.SettingChange> changes = new ArrayList<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            AutoConfEntry before = autoConf(c, e.getKey());
            changes.add(new SourceChanges.SettingChange(e.getKey(), before.value(), before.known(), e.getValue()));
        }
        log.save(log.load().withSettings(changes));
        try (Statement s = c.createStatement()) {
            for (Map.Entry<String, String> e : settings.entrySet()) {
                s.execute(statement(e.getKey(), e.getValue()));
                LOG.info("On the source: ALTER SYSTEM SET {} = '{}'", e.getKey(), e.getValue());
            }
        }
    }

    /** {@code ALTER SYSTEM SET "name" = 'value'}. */
    static String statement(String name, String value) {
        return "ALTER SYSTEM SET " + Identifiers.quote(name) + " = " + Identifiers.literal(value);
    }

    /**
     * What {@code postgresql.auto.conf} holds for {@code name} (the value as written there, or null), read from
     * {@code pg_file_settings}; unknown when the user may not read it (only superusers may, by default).
     */
    static AutoConfEntry autoConf(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT setting FROM pg_catalog.pg_file_settings"
                + " WHERE lower(name) = lower(?) AND sourcefile LIKE '%postgresql.auto.conf'"
                + " ORDER BY seqno DESC LIMIT 1")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return new AutoConfEntry(true, rs.next() ? rs.getString(1) : null);
            }
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            return new AutoConfEntry(false, null);
        }
    }
}
