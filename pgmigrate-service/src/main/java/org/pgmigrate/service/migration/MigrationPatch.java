package org.pgmigrate.service.migration;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A PATCH's content (the spec's MigrationPropertiesForPatch, plus tags). A null field was absent from the body and
 * leaves the migration as it is. Immutable.
 */
public record MigrationPatch(
        Map<String, String> tags,
        String sourceDbServerResourceId,
        String sourceDbServerFullyQualifiedDomainName,
        String targetDbServerFullyQualifiedDomainName,
        SecretParameters secrets,
        List<String> dbsToMigrate,
        Boolean setupLogicalReplicationOnSourceDbIfNeeded,
        Boolean overwriteDbsInTarget,
        Instant migrationWindowStartTimeInUtc,
        Boolean migrateRoles,
        Boolean startDataMigration,
        Boolean triggerCutover,
        List<String> dbsToTriggerCutoverOn,
        Boolean cancel,
        List<String> dbsToCancelMigrationOn,
        MigrationMode migrationMode) {

    /** Whether the patch changes what or where to migrate (allowed only before data moves). */
    public boolean changesDefinition() {
        return sourceDbServerResourceId != null || sourceDbServerFullyQualifiedDomainName != null
                || targetDbServerFullyQualifiedDomainName != null || dbsToMigrate != null || migrateRoles != null
                || migrationMode != null;
    }

    @Override
    public String toString() {
        return "MigrationPatch[cancel=" + cancel + ", triggerCutover=" + triggerCutover + ", secrets "
                + (secrets == null ? "unchanged" : "<masked>") + "]";
    }
}
