package org.pgmigrate.engine.precheck;

/**
 * Whether a migration copies roles, and if not, why: it did not ask ({@code migrateRoles} off), or a setting
 * overrides the request (the service's {@code azure.migration_skip_role_user}, named in {@code skippedBy}). The
 * checks that depend on it (CREATEROLE on the target, who owns the objects there) judge the migration that will run,
 * and say what to change in the terms that apply.
 */
record RolePlan(boolean requested, String skippedBy) {

    boolean migrated() {
        return requested && skippedBy == null;
    }

    /** Why roles are not migrated, e.g. "migrateRoles is off". */
    String whyNot() {
        return requested ? skippedBy + " is on, which overrides migrateRoles" : "migrateRoles is off";
    }

    /** What keeps owners and grants, e.g. "migrate roles: set migrateRoles = True (pgmigrate clone: --roles)". */
    String howToKeepOwners() {
        return requested ? "set " + skippedBy + " to off on the target server"
                : "migrate roles: set migrateRoles = True (pgmigrate clone: --roles)";
    }
}
