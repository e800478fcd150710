package org.pgmigrate.engine.precheck;

import java.util.List;
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
 */
public record ValidationRequest(PgEndpoint source, PgEndpoint target, List<String> databases, boolean online,
                                boolean overwriteDbsInTarget, boolean migrateRoles, boolean allowReplicaIdentityFull,
                                TableFilter filter) {

    public ValidationRequest {
        databases = List.copyOf(databases);
        filter = filter == null ? TableFilter.NONE : filter;
    }

    /** A request without filters. */
    public ValidationRequest(PgEndpoint source, PgEndpoint target, List<String> databases, boolean online,
                             boolean overwriteDbsInTarget, boolean migrateRoles, boolean allowReplicaIdentityFull) {
        this(source, target, databases, online, overwriteDbsInTarget, migrateRoles, allowReplicaIdentityFull,
                TableFilter.NONE);
    }
}
