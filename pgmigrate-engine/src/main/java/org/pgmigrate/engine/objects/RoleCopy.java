package org.pgmigrate.engine.objects;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.schema.PgTools;
import org.pgmigrate.engine.schema.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies roles and memberships with {@code pg_dumpall --roles-only} (with {@code --no-role-passwords} when the source
 * user may not read pg_authid). Superusers, the reserved {@code pg_*} roles and the target's own user are never
 * copied: every statement naming one of them is skipped. A role that already exists on the target is kept as is
 * and then altered to the source's attributes.
 *
 * <p>Stateless.
 */
public final class RoleCopy {

    private static final Logger log = LoggerFactory.getLogger(RoleCopy.class);
    private static final Pattern GRANTED_BY = Pattern.compile("\\s+GRANTED BY\\s+(\"(?:[^\"]|\"\")+\"|[^\\s;]+)");
    private static final Pattern IDENTIFIER = Pattern.compile("\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_$]*)");

    /** What happened: roles created or updated, and statements the target refused (reported, not fatal). */
    public record Result(int statements, List<String> skippedRoles, List<String> refused) {
    }

    private RoleCopy() {
    }

    public static Result copy(PgTools tools, PgEndpoint source, Connection sourceSession, Connection target,
                              Cancellation cancel) throws SQLException {
        Set<String> excluded = excludedRoles(sourceSession);
        excluded.add(currentUser(target));
        boolean canReadPasswords = canReadPasswords(sourceSession);
        List<String> command = new ArrayList<>(List.of(tools.pgDumpAll().toString(), "--roles-only", "--no-comments"));
        if (!canReadPasswords) {
            command.add("--no-role-passwords");
        }
        command.add("--dbname=" + source.withDatabase("postgres").conninfoWithoutPassword());
        String script = ToolProcess.run(command, source, cancel, EngineError.SCHEMA_RESTORE_FAILED, "pg_dumpall --roles-only");
        int applied = 0;
        List<String> refused = new ArrayList<>();
        for (String line : script.lines().toList()) {
            String sql = line.strip();
            if (sql.isEmpty() || sql.startsWith("--") || sql.startsWith("SET ") || sql.startsWith("\\")) {
                continue;
            }
            // The grantor of a membership is usually the source's superuser, which is not copied: the target's user
            // grants it instead.
            sql = GRANTED_BY.matcher(sql).replaceAll("");
            if (mentions(sql, excluded)) {
                continue;
            }
            try (Statement s = target.createStatement()) {
                s.execute(sql);
                applied++;
            } catch (SQLException e) {
                if ("42710".equals(e.getSQLState())) {
                    continue; // CREATE ROLE of a role the target has: the ALTER ROLE that follows aligns it
                }
                log.warn("Target refused role statement: {}: {}", redactPassword(sql), e.getMessage());
                refused.add(redactPassword(sql) + ": " + e.getMessage());
            }
        }
        return new Result(applied, List.copyOf(excluded), refused);
    }

    private static Set<String> excludedRoles(Connection source) throws SQLException {
        Set<String> roles = new HashSet<>();
        try (Statement s = source.createStatement();
             ResultSet rs = s.executeQuery("SELECT rolname FROM pg_catalog.pg_roles WHERE rolsuper OR rolname LIKE 'pg\\_%'")) {
            while (rs.next()) {
                roles.add(rs.getString(1));
            }
        }
        return roles;
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean canReadPasswords(Connection source) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("SELECT has_table_privilege('pg_catalog.pg_authid', 'SELECT')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** True when the statement names one of the roles (as an identifier, quoted or not). */
    static boolean mentions(String sql, Set<String> roles) {
        String withoutLiterals = sql.replaceAll("'(?:[^']|'')*'", "''");
        Matcher m = IDENTIFIER.matcher(withoutLiterals);
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2);
            if (roles.contains(name)) {
                return true;
            }
        }
        return false;
    }

    private static String redactPassword(String sql) {
        return sql.replaceAll("PASSWORD '(?:[^']|'')*'", "PASSWORD '<masked>'");
    }
}
