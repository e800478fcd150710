package org.pgmigrate.engine.objects;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pgmigrate.engine.objects.RoleStatement.AlterRoleAttributes;
import org.pgmigrate.engine.objects.RoleStatement.AlterRoleSetting;
import org.pgmigrate.engine.objects.RoleStatement.CreateRole;
import org.pgmigrate.engine.objects.RoleStatement.Unsupported;
import org.pgmigrate.engine.pg.Printable;

/**
 * Which statements of the role script may run, decided from both servers' catalogs (attributes and OIDs, never name
 * patterns). A statement is skipped when any role it names is excluded:
 * <ul>
 *   <li>the predefined roles of either server (OID below FirstNormalObjectId, 16384), including the bootstrap
 *       superuser;</li>
 *   <li>the source's superusers;</li>
 *   <li>the target user pgmigrate connects as;</li>
 *   <li>every target role that holds power already: SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS, or membership
 *       (direct or not) in such a role or in a predefined role. pgmigrate never alters those, nor grants them.</li>
 * </ul>
 * A statement that names a role the source does not have, that would give a role SUPERUSER, CREATEROLE, REPLICATION
 * or BYPASSRLS it does not hold on the source, or that sets for a role a parameter only a superuser may set, is
 * rejected: a dump that says so is not the source's, or asks pgmigrate's session to grant what its owner chose.
 * A role that exists on the target and holds no such power is kept, and aligned with the source by the statements
 * that follow (attributes, password, settings, memberships).
 *
 * <p>Immutable; thread-safe.
 */
final class RolePolicy {

    /** FirstNormalObjectId: OIDs below it are assigned by initdb (predefined roles, the bootstrap superuser). */
    static final long FIRST_NORMAL_OBJECT_ID = 16384;

    enum Privilege { SUPERUSER, CREATEROLE, REPLICATION, BYPASSRLS }

    /** What to do with one statement. */
    sealed interface Decision {
    }

    /** Run it. */
    record Run() implements Decision {
    }

    /** CREATE ROLE of a role the target has (not a privileged one): keep it; the ALTER ROLE that follows aligns it. */
    record KeepExisting(String role) implements Decision {
    }

    /** Skip it: it names {@code role}, which the copy must not touch, for {@code reason}. */
    record Skip(String role, String reason) implements Decision {
    }

    /** Do not run it: {@code reason} says why it does not belong in the source's dump of roles. */
    record Reject(String reason) implements Decision {
    }

    private final Map<String, String> excluded;
    private final Map<String, Set<Privilege>> sourceRoles;
    private final Set<String> targetRoles;
    private final Map<String, String> targetSettingContexts;

    /**
     * @param excluded              role name to why it is excluded
     * @param sourceRoles           every source role and which of the privileged attributes it has
     * @param targetRoles           every role the target has before the copy
     * @param targetSettingContexts parameter name (lower case) to its {@code pg_settings.context} on the target
     */
    RolePolicy(Map<String, String> excluded, Map<String, Set<Privilege>> sourceRoles, Set<String> targetRoles,
               Map<String, String> targetSettingContexts) {
        this.excluded = Map.copyOf(excluded);
        this.sourceRoles = Map.copyOf(sourceRoles);
        this.targetRoles = Set.copyOf(targetRoles);
        this.targetSettingContexts = Map.copyOf(targetSettingContexts);
    }

    Decision decide(RoleStatement statement) {
        if (statement instanceof Unsupported u) {
            return new Reject(u.reason());
        }
        for (String role : statement.roles()) {
            String why = excluded.get(role);
            if (why != null) {
                return new Skip(role, why);
            }
        }
        for (String role : statement.roles()) {
            if (!sourceRoles.containsKey(role)) {
                return new Reject("it names the role " + shown(role) + ", which the source does not have");
            }
        }
        String role = statement.roles().isEmpty() ? null : statement.roles().get(0);
        Set<String> attributes = statement instanceof CreateRole c ? c.attributes()
                : statement instanceof AlterRoleAttributes a ? a.attributes() : Set.of();
        for (Privilege p : Privilege.values()) {
            if (attributes.contains(p.name()) && !sourceRoles.get(role).contains(p)) {
                return new Reject("it would give " + shown(role) + " " + p + ", which that role does not have on the source");
            }
        }
        if (statement instanceof AlterRoleSetting s) {
            String context = targetSettingContexts.get(s.parameter().toLowerCase(Locale.ROOT));
            if (context != null && !context.equals("user")) {
                return new Reject("it sets " + Printable.escape(s.parameter()) + " for " + shown(role) + ", which only a"
                        + " superuser may set (its context is " + context + "); pgmigrate does not apply such settings."
                        + " Set it on the target yourself if the role needs it");
            }
        }
        if (statement instanceof CreateRole c && targetRoles.contains(c.role())) {
            return new KeepExisting(c.role());
        }
        return new Run();
    }

    boolean existsOnTarget(String role) {
        return targetRoles.contains(role);
    }

    /** Reads what the decisions need from the source's and the target's catalogs. */
    static RolePolicy read(Connection source, Connection target) throws SQLException {
        Map<String, String> excluded = new LinkedHashMap<>();
        Map<String, Set<Privilege>> sourceRoles = new HashMap<>();
        String roles = "SELECT r.rolname, r.oid, r.rolsuper, r.rolcreaterole, r.rolreplication, r.rolbypassrls"
                + " FROM pg_catalog.pg_roles r";
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(roles)) {
            while (rs.next()) {
                String name = rs.getString(1);
                Set<Privilege> privileges = privileges(rs);
                sourceRoles.put(name, privileges);
                if (rs.getLong(2) < FIRST_NORMAL_OBJECT_ID) {
                    excluded.putIfAbsent(name, "a predefined role");
                } else if (privileges.contains(Privilege.SUPERUSER)) {
                    excluded.putIfAbsent(name, "a superuser on the source");
                }
            }
        }
        Set<String> targetRoles = new HashSet<>();
        Map<String, Set<Privilege>> targetPrivileges = new HashMap<>();
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(roles)) {
            while (rs.next()) {
                String name = rs.getString(1);
                targetRoles.add(name);
                targetPrivileges.put(name, privileges(rs));
                if (rs.getLong(2) < FIRST_NORMAL_OBJECT_ID) {
                    excluded.putIfAbsent(name, "a predefined role");
                }
            }
        }
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            excluded.putIfAbsent(rs.getString(1), "the target user pgmigrate connects as");
        }
        new TreeMap<>(targetPrivileges).forEach((name, privileges) -> {
            if (!privileges.isEmpty()) {
                excluded.putIfAbsent(name, "it has " + String.join(", ", privileges.stream().map(Enum::name).toList())
                        + " on the target, and pgmigrate never alters a privileged role");
            }
        });
        // Membership passes power on: SET ROLE to a superuser group, or the rights of pg_execute_server_program.
        Map<String, Set<String>> powerfulGroups = new TreeMap<>();
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SELECT r.rolname, p.rolname"
                + " FROM pg_catalog.pg_roles r JOIN pg_catalog.pg_roles p ON p.oid <> r.oid"
                + " WHERE (p.oid < " + FIRST_NORMAL_OBJECT_ID + "::pg_catalog.oid OR p.rolsuper OR p.rolcreaterole"
                + " OR p.rolreplication OR p.rolbypassrls) AND pg_catalog.pg_has_role(r.oid, p.oid, 'MEMBER')")) {
            while (rs.next()) {
                powerfulGroups.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getString(2));
            }
        }
        powerfulGroups.forEach((name, groups) -> excluded.putIfAbsent(name, "on the target it is a member of "
                + String.join(", ", groups.stream().map(RolePolicy::shown).toList())
                + ", and pgmigrate never alters a privileged role"));
        Map<String, String> contexts = new HashMap<>();
        try (Statement s = target.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, context FROM pg_catalog.pg_settings")) {
            while (rs.next()) {
                contexts.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
            }
        }
        return new RolePolicy(excluded, sourceRoles, targetRoles, contexts);
    }

    private static Set<Privilege> privileges(ResultSet rs) throws SQLException {
        Set<Privilege> privileges = EnumSet.noneOf(Privilege.class);
        if (rs.getBoolean(3)) {
            privileges.add(Privilege.SUPERUSER);
        }
        if (rs.getBoolean(4)) {
            privileges.add(Privilege.CREATEROLE);
        }
        if (rs.getBoolean(5)) {
            privileges.add(Privilege.REPLICATION);
        }
        if (rs.getBoolean(6)) {
            privileges.add(Privilege.BYPASSRLS);
        }
        return privileges;
    }

    static String shown(String role) {
        return Printable.escape(role);
    }
}
