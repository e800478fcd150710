package org.pgmigrate.engine.objects;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.objects.RolePolicy.Decision;
import org.pgmigrate.engine.objects.RolePolicy.KeepExisting;
import org.pgmigrate.engine.objects.RolePolicy.Reject;
import org.pgmigrate.engine.objects.RolePolicy.Skip;
import org.pgmigrate.engine.objects.RoleStatement.AlterRoleAttributes;
import org.pgmigrate.engine.objects.RoleStatement.AlterRoleSetting;
import org.pgmigrate.engine.objects.RoleStatement.GrantMembership;
import org.pgmigrate.engine.objects.RoleStatement.SessionSetting;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.Printable;
import org.pgmigrate.engine.pg.script.PsqlScriptLexer;
import org.pgmigrate.engine.pg.script.ScriptItem;
import org.pgmigrate.engine.schema.PgTools;
import org.pgmigrate.engine.schema.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies roles and memberships with {@code pg_dumpall --roles-only} (with {@code --no-role-passwords} when the source
 * user may not read pg_authid). The script is read whole statements at a time by a SQL lexer
 * ({@link PsqlScriptLexer}), never by lines, so a role name holding a newline and a semicolon stays one name. Each
 * statement must be of a kind a dump of roles holds ({@link RoleStatement}); {@link RolePolicy} then decides from
 * both catalogs whether it runs: superusers, predefined roles, the target's own user and every role already
 * privileged on the target are never touched. A role that already exists on the target (and is not privileged
 * there) is kept and aligned with the source's attributes, password, settings and memberships; the result names it.
 * The target refusing a statement is reported, not fatal.
 *
 * <p>Stateless.
 */
public final class RoleCopy {

    private static final Logger log = LoggerFactory.getLogger(RoleCopy.class);

    /**
     * What happened.
     *
     * @param statements           statements applied on the target
     * @param skippedRoles         roles the script named that were left alone, and why (every statement naming them
     *                             was skipped)
     * @param existingRolesChanged roles that existed on the target before the copy and that it changed (attributes,
     *                             password, settings or memberships)
     * @param rejected             statements pgmigrate would not run, and why (passwords masked)
     * @param refused              statements the target refused, and its error (passwords masked)
     */
    public record Result(int statements, List<SkippedRole> skippedRoles, List<String> existingRolesChanged,
                         List<String> rejected, List<String> refused) {

        public Result {
            skippedRoles = List.copyOf(skippedRoles);
            existingRolesChanged = List.copyOf(existingRolesChanged);
            rejected = List.copyOf(rejected);
            refused = List.copyOf(refused);
        }
    }

    /** A role left alone; {@link #toString()} is safe to print (control characters escaped). */
    public record SkippedRole(String name, String reason) {
        @Override
        public String toString() {
            return Printable.escape(name) + " (" + reason + ")";
        }
    }

    private RoleCopy() {
    }

    public static Result copy(PgTools tools, PgEndpoint source, Connection sourceSession, Connection target,
                              Cancellation cancel) throws SQLException {
        RolePolicy policy = RolePolicy.read(sourceSession, target);
        List<String> command = new ArrayList<>(List.of(tools.pgDumpAll().toString(), "--roles-only", "--no-comments"));
        if (!canReadPasswords(sourceSession)) {
            command.add("--no-role-passwords");
        }
        // UTF-8 whatever the source's encoding, which is how the output is decoded and how pgjdbc sends it back.
        command.add("--dbname=" + source.withDatabase("postgres").conninfoWithoutPassword() + " client_encoding='UTF8'");
        String script = ToolProcess.run(command, source, cancel, EngineError.SCHEMA_RESTORE_FAILED, "pg_dumpall --roles-only");
        return apply(script, policy, target);
    }

    /** Runs the statements of {@code script} that {@code policy} allows on {@code target}, one at a time. */
    static Result apply(String script, RolePolicy policy, Connection target) throws SQLException {
        // The lexer starts with standard_conforming_strings on; the session must read strings the same way.
        execute(target, "SET standard_conforming_strings = on");
        int applied = 0;
        Map<String, SkippedRole> skipped = new LinkedHashMap<>();
        Set<String> changed = new TreeSet<>();
        List<String> rejected = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (ScriptItem item : PsqlScriptLexer.read(script)) {
            if (item instanceof ScriptItem.MetaCommand meta) {
                log.debug("Role script line {}: psql command {} skipped", meta.line(), Printable.escape(meta.text()));
                continue;
            }
            ScriptItem.Statement statement = (ScriptItem.Statement) item;
            RoleStatement parsed = RoleStatement.read(statement);
            if (parsed instanceof SessionSetting setting) {
                session(target, setting, statement);
                continue;
            }
            Decision decision = policy.decide(parsed);
            if (decision instanceof Skip skip) {
                skipped.putIfAbsent(skip.role(), new SkippedRole(skip.role(), skip.reason()));
                log.debug("Role script line {} skipped: it names {}", statement.line(), Printable.escape(skip.role()));
                continue;
            }
            if (decision instanceof Reject reject) {
                String message = "line " + statement.line() + ": " + RoleStatement.shown(statement) + ": "
                        + Printable.escape(reject.reason());
                log.warn("Role statement not run, {}", message);
                rejected.add(message);
                continue;
            }
            if (decision instanceof KeepExisting keep) {
                log.info("Role {} exists on the target; it is kept and aligned with the source", Printable.escape(keep.role()));
                continue;
            }
            try {
                execute(target, parsed.sql());
                applied++;
                changed.addAll(existingRolesChangedBy(parsed, policy));
            } catch (SQLException e) {
                String message = RoleStatement.shown(statement) + ": " + Printable.escape(e.getMessage());
                log.warn("Target refused role statement: {}", message);
                refused.add(message);
            }
        }
        List<String> existing = changed.stream().map(Printable::escape).toList();
        if (!existing.isEmpty()) {
            log.info("Roles that existed on the target and now match the source: {}", String.join(", ", existing));
        }
        return new Result(applied, List.copyOf(skipped.values()), List.copyOf(changed), rejected, refused);
    }

    /** The roles that existed on the target before the copy and that {@code statement} changes. */
    private static List<String> existingRolesChangedBy(RoleStatement statement, RolePolicy policy) {
        if (statement instanceof AlterRoleAttributes || statement instanceof AlterRoleSetting
                || statement instanceof GrantMembership) {
            return statement.roles().stream().filter(policy::existsOnTarget).toList();
        }
        return List.of();
    }

    /**
     * The script's own session setup. {@code standard_conforming_strings} changes how the lexer reads the strings
     * that follow, so the target session follows it too; the encoding was asked for and must be UTF-8; the rest
     * ({@code default_transaction_read_only}...) concerns psql's session, not the roles.
     */
    private static void session(Connection target, SessionSetting setting, ScriptItem.Statement statement)
            throws SQLException {
        String value = setting.value().toLowerCase(Locale.ROOT);
        switch (setting.parameter()) {
            case "standard_conforming_strings" -> {
                if (!Set.of("on", "off", "true", "false").contains(value)) {
                    throw new EngineException(EngineError.INTERNAL, "pg_dumpall wrote an unexpected "
                            + RoleStatement.shown(statement) + " at line " + statement.line());
                }
                execute(target, "SET standard_conforming_strings = " + (value.equals("on") || value.equals("true") ? "on" : "off"));
            }
            case "client_encoding" -> {
                if (!value.equals("utf8") && !value.equals("utf-8")) {
                    throw new EngineException(EngineError.INTERNAL, "pg_dumpall wrote its script in " + Printable.escape(value)
                            + " although UTF-8 was asked for; roles were not copied.");
                }
            }
            default -> log.debug("Role script line {}: {} skipped", statement.line(), RoleStatement.shown(statement));
        }
    }

    private static void execute(Connection target, String sql) throws SQLException {
        try (Statement s = target.createStatement()) {
            s.setEscapeProcessing(false); // the text is SQL as the lexer read it, not JDBC escape syntax
            s.execute(sql);
        }
    }

    private static boolean canReadPasswords(Connection source) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
