package org.pgmigrate.engine.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.DatabaseProperties;
import org.pgmigrate.engine.pg.DatabaseIdentity;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.ServerVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the target database with the source's encoding, collation, ctype (and ICU locale) and its
 * {@code ALTER DATABASE ... SET} settings; drops an existing one first only when asked to.
 *
 * <p>Stateless; each call uses the maintenance connection it is given.
 */
public final class TargetDatabase {

    private static final Logger log = LoggerFactory.getLogger(TargetDatabase.class);
    /** How long terminated sessions get to go away (a backend ends at its next interrupt check). */
    private static final java.time.Duration LEFTOVER_EXIT_WAIT = java.time.Duration.ofSeconds(30);

    /** Settings whose value is a list, printed element by element (pg_dump's GUC_LIST_QUOTE set). */
    private static final Set<String> LIST_SETTINGS = Set.of("search_path", "temp_tablespaces",
            "session_preload_libraries", "shared_preload_libraries", "local_preload_libraries", "unix_socket_directories");

    private TargetDatabase() {
    }

    public static boolean exists(Connection maintenance, String name) throws SQLException {
        try (PreparedStatement ps = maintenance.prepareStatement("SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Creates {@code name} like {@code source}. Returns the settings the target refused (unknown parameters,
     * privileges), which are skipped with a warning rather than failing the migration.
     */
    public static List<String> create(Connection maintenance, String name, DatabaseProperties source, String address)
            throws SQLException {
        ServerVersion target = ServerVersion.of(maintenance);
        StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(Identifiers.quote(name))
                .append(" TEMPLATE template0 ENCODING ").append(Identifiers.literal(source.encoding()));
        if (source.localeProvider() == 'i' && source.iculocale() != null) {
            if (!target.atLeast(15)) {
                throw new EngineException(EngineError.INVALID_INPUT, "The source database uses the ICU locale '"
                        + source.iculocale() + "', which needs a PostgreSQL 15 or newer target; " + address
                        + " runs " + target + ".");
            }
            sql.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(Identifiers.literal(source.iculocale()));
        }
        sql.append(" LC_COLLATE ").append(Identifiers.literal(source.collate()))
                .append(" LC_CTYPE ").append(Identifiers.literal(source.ctype()));
        try (Statement s = maintenance.createStatement()) {
            s.execute(sql.toString());
        } catch (SQLException e) {
            throw new EngineException(EngineError.INVALID_INPUT, "Cannot create database '" + name + "' on the target "
                    + address + " with encoding " + source.encoding() + ", collation " + source.collate() + " and ctype "
                    + source.ctype() + ": " + e.getMessage() + ". The target needs the same locales as the source "
                    + "(install them, e.g. locale-gen), and its user needs CREATEDB.", e);
        }
        List<String> refused = new ArrayList<>();
        for (String setting : source.settings()) {
            String statement = alterDatabaseSet(name, setting);
            try (Statement s = maintenance.createStatement()) {
                s.execute(statement);
            } catch (SQLException e) {
                log.warn("Target refused database setting {}: {}", setting, e.getMessage());
                refused.add(setting + " (" + e.getMessage() + ")");
            }
        }
        return refused;
    }

    /**
     * The identity of database {@code name} on the server {@code maintenance} is connected to (which must have it):
     * the server's, with that database's OID and name.
     */
    public static DatabaseIdentity identity(Connection maintenance, String name) throws SQLException {
        DatabaseIdentity server = DatabaseIdentity.of(maintenance);
        long oid = DatabaseIdentity.oidOf(maintenance, name).orElseThrow(() -> new EngineException(
                EngineError.INVALID_INPUT, "Database '" + name + "' does not exist on the target."));
        return new DatabaseIdentity(server.systemIdentifier(), server.startedAt(), server.port(), oid, name);
    }

    /**
     * Throws {@link EngineError#SAME_DATABASE} when database {@code name} on the server of {@code targetMaintenance}
     * is the {@code source} database, whatever names reached the two.
     */
    public static void refuseTheSource(DatabaseIdentity source, Connection targetMaintenance, String name,
                                       String sourceAddress, String targetAddress) throws SQLException {
        DatabaseIdentity targetServer = DatabaseIdentity.of(targetMaintenance);
        if (!source.sameServer(targetServer)) {
            return;
        }
        Optional<Long> oid = DatabaseIdentity.oidOf(targetMaintenance, name);
        if (oid.isPresent() && source.isDatabase(targetServer, oid.get())) {
            throw isTheSource(name, sourceAddress, targetAddress);
        }
    }

    /**
     * Throws {@link EngineError#TARGET_DATABASE_CHANGED} unless database {@code name} exists and is the one recorded
     * as {@code recorded} ({@link DatabaseIdentity#persistentKey}).
     */
    public static void requireIdentity(Connection maintenance, String name, String recorded, String address)
            throws SQLException {
        String found = exists(maintenance, name) ? identity(maintenance, name).persistentKey() : "none";
        if (!found.equals(recorded)) {
            throw new EngineException(EngineError.TARGET_DATABASE_CHANGED, "Database '" + name + "' on the target "
                    + address + " is not the one an earlier run of this migration created (that was cluster/OID "
                    + recorded + ", this is " + found + "): it was dropped and created again, or the name now reaches"
                    + " another server. pgmigrate will not write into a database it cannot prove is its own, and left"
                    + " it untouched. Drop it yourself and start the migration over, or choose another target database.");
        }
    }

    private static EngineException isTheSource(String name, String sourceAddress, String targetAddress) {
        return new EngineException(EngineError.SAME_DATABASE, "The target database '" + name + "' at "
                + targetAddress + " is the source database itself (" + sourceAddress + " reaches the same server:"
                + " same system identifier, same start time, same database OID). Nothing was written. Name a"
                + " different target server, or a different target database name to copy within this server.");
    }

    /**
     * Drops {@code name}, ending other sessions on it first; but never the source database, which is proved anew
     * here from what the server says (not from the names the user gave), right before the DROP.
     */
    public static void drop(Connection maintenance, String name, DatabaseIdentity source) throws SQLException {
        DatabaseIdentity victim = identity(maintenance, name);
        if (source.sameDatabaseAs(victim)) {
            throw new EngineException(EngineError.SAME_DATABASE, "Refusing to drop database '" + name + "': it is the"
                    + " source database (same server, same database OID). Nothing was dropped. Name a different"
                    + " target server, or a different target database name to copy within this server.");
        }
        ServerVersion target = ServerVersion.of(maintenance);
        try (Statement s = maintenance.createStatement()) {
            if (target.atLeast(13)) {
                s.execute("DROP DATABASE " + Identifiers.quote(name) + " WITH (FORCE)");
                return;
            }
        }
        try (PreparedStatement ps = maintenance.prepareStatement(
                "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, name);
            ps.executeQuery().close();
        }
        try (Statement s = maintenance.createStatement()) {
            s.execute("DROP DATABASE " + Identifiers.quote(name));
        }
    }

    /**
     * Ends the sessions that a pg_restore of an earlier, killed run still holds on database {@code name} and waits
     * until they are gone; returns how many there were. A kill -9 of pgmigrate does not reach its children: that
     * pg_restore lives on and keeps creating objects, which would race with (and break) the restore a resumed run
     * starts. Only sessions named by {@link ToolProcess#applicationName} are touched, in a database this migration
     * proved to be its own.
     */
    public static int endLeftoverRestores(Connection maintenance, String name) throws SQLException {
        return endLeftovers(maintenance, name, ToolProcess.applicationName("pg_restore"));
    }

    /**
     * Ends every session that an earlier, interrupted run of pgmigrate left on database {@code name} (named
     * {@code pgmigrate-*}: an index build, an ANALYZE or a pg_restore that a kill -9 did not reach runs on and could
     * still commit, racing with what the resumed run builds), and waits until they are gone; returns how many.
     * Call it only before this run opens sessions of its own on that database, and only on a database this
     * migration proved to be its own.
     */
    public static int endLeftoverSessions(Connection maintenance, String name) throws SQLException {
        return endLeftovers(maintenance, name, "pgmigrate-%");
    }

    private static int endLeftovers(Connection maintenance, String name, String applicationName)
            throws SQLException {
        String sessions = " FROM pg_catalog.pg_stat_activity WHERE datname = ? AND application_name LIKE ?"
                + " AND pid <> pg_catalog.pg_backend_pid()";
        int ended = 0;
        try (PreparedStatement ps = maintenance.prepareStatement(
                "SELECT pg_catalog.pg_terminate_backend(pid)" + sessions)) {
            ps.setString(1, name);
            ps.setString(2, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ended++;
                }
            }
        }
        long deadline = System.nanoTime() + LEFTOVER_EXIT_WAIT.toNanos();
        try (PreparedStatement ps = maintenance.prepareStatement("SELECT count(*)" + sessions)) {
            ps.setString(1, name);
            ps.setString(2, applicationName);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return ended;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new EngineException(EngineError.SCHEMA_RESTORE_FAILED, "Sessions left running by an"
                            + " earlier, interrupted run are still connected to database '" + name + "' "
                            + LEFTOVER_EXIT_WAIT.toSeconds() + " s after they were terminated. End them (see"
                            + " pg_stat_activity, application_name like " + applicationName + ") and resume again.");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineException(EngineError.CANCELED, "Interrupted while ending leftover sessions", e);
                }
            }
        }
    }

    /** ALTER DATABASE ... SET for one {@code name=value} entry of pg_db_role_setting, quoted as pg_dump does. */
    static String alterDatabaseSet(String database, String setting) {
        int eq = setting.indexOf('=');
        String parameter = setting.substring(0, eq);
        String value = setting.substring(eq + 1);
        StringBuilder sql = new StringBuilder("ALTER DATABASE ").append(Identifiers.quote(database))
                .append(" SET ").append(Identifiers.quote(parameter)).append(" TO ");
        if (LIST_SETTINGS.contains(parameter.toLowerCase(Locale.ROOT))) {
            List<String> elements = splitList(value);
            for (int i = 0; i < elements.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(Identifiers.literal(elements.get(i)));
            }
            if (elements.isEmpty()) {
                sql.append("''");
            }
        } else {
            sql.append(Identifiers.literal(value));
        }
        return sql.toString();
    }

    /** Splits a list setting such as {@code "$user", public, "a, b"} into its elements. */
    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                any = true;
            } else if (ch == ',') {
                out.add(cur.toString().trim());
                cur.setLength(0);
                any = false;
            } else {
                cur.append(ch);
                any |= !Character.isWhitespace(ch);
            }
        }
        if (any || !cur.toString().isBlank()) {
            out.add(cur.toString().trim());
        }
        return out;
    }
}
