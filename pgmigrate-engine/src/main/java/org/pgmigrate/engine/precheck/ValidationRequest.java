package org.pgmigrate.engine.precheck;

import java.util.List;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.pg.PgEndpoint;

/**
 * What to validate.
 *
 * @param source                   the source server (its database part is ignored)
 * @param target                   the target server (its database part is ignored)
 * @param databases                source databases to migrate (same names on the target)
 * @param online                   online migration: replication prerequisites are checked too
 * @param overwriteDbsInTarget     an existing target database will be dropped (otherwise the migration waits)
 * @param migrateRoles             roles are copied (the target user needs CREATEROLE), and objects keep their owners
 *                                 and grants; otherwise the target user owns everything
 * @param allowReplicaIdentityFull tables without a key may be set to REPLICA IDENTITY FULL for online mode
 * @param filter                   the schemas and tables to migrate: each database must have what it names
 * @param skips                    what the migration will leave out on request ({@link ObjectSkips#NONE}: nothing):
 *                                 skipped extensions are not required on the target, but nothing may use them;
 *                                 skipped large objects are noted instead of warned about
 * @param rolesSkippedBy           the setting that leaves roles out whatever {@code migrateRoles} says (the service's
 *                                 {@code azure.migration_skip_role_user}), or null
 */
public record ValidationRequest(PgEndpoint source, PgEndpoint target, List<String> databases, boolean online,
                                boolean overwriteDbsInTarget, boolean migrateRoles, boolean allowReplicaIdentityFull,
                                TableFilter filter, ObjectSkips skips, String rolesSkippedBy) {

    public ValidationRequest {
        databases = List.copyOf(databases);
        filter = filter == null ? TableFilter.NONE : filter;
        skips = skips == null ? ObjectSkips.NONE : skips;
    }

    /** A request that leaves nothing out. */
    public ValidationRequest(PgEndpoint source, PgEndpoint target, List<String> databases, boolean online,
                             boolean overwriteDbsInTarget, boolean migrateRoles, boolean allowReplicaIdentityFull,
                             TableFilter filter) {
        this(source, target, databases, online, overwriteDbsInTarget, migrateRoles, allowReplicaIdentityFull, filter,
                ObjectSkips.NONE, null);
    }

    /** A request without filters. */
    public ValidationRequest(PgEndpoint source, PgEndpoint target, List<String> databases, boolean online,
                             boolean overwriteDbsInTarget, boolean migrateRoles, boolean allowReplicaIdentityFull) {
        this(source, target, databases, online, overwriteDbsInTarget, migrateRoles, allowReplicaIdentityFull,
                TableFilter.NONE);
    }

    /** This request, for a migration that leaves out {@code skipped}. */
    public ValidationRequest withSkips(ObjectSkips skipped) {
        return new ValidationRequest(source, target, databases, online, overwriteDbsInTarget, migrateRoles,
                allowReplicaIdentityFull, filter, skipped, rolesSkippedBy);
    }

    /** This request, for a migration whose roles {@code setting} leaves out (null: as migrateRoles says). */
    public ValidationRequest withRolesSkippedBy(String setting) {
        return new ValidationRequest(source, target, databases, online, overwriteDbsInTarget, migrateRoles,
                allowReplicaIdentityFull, filter, skips, setting);
    }

    /** Whether roles are migrated, and if not, why. */
    RolePlan roles() {
        return new RolePlan(migrateRoles, rolesSkippedBy);
    }
}
