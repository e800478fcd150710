package org.pgmigrate.service.migration;

import java.time.Instant;
import java.util.List;

/**
 * The properties a user sets on a migration (PUT, PATCH), as the spec names them. Booleans are the wire's
 * {@code "True"}/{@code "False"}; {@code sslMode} is the API's spelling (Prefer, Require, VerifyCA, VerifyFull);
 * nullable fields are unset. The requests ({@code cancel}, {@code triggerCutover}, {@code startDataMigration}) are
 * kept as the user sent them and echoed back, as Azure does. Immutable.
 *
 * @param allowReplicaIdentityFull pgmigrate's extra property (online): set {@code REPLICA IDENTITY FULL} on source
 *                                 tables that have no primary key and no replica identity instead of refusing them
 * @param filters                  pgmigrate's extra property: the schemas and tables to migrate, or null for all
 */
public record MigrationSpec(
        String sourceDbServerResourceId,
        String sourceDbServerFullyQualifiedDomainName,
        String targetDbServerFullyQualifiedDomainName,
        String migrationInstanceResourceId,
        MigrationMode migrationMode,
        MigrationOption migrationOption,
        String sourceType,
        String sslMode,
        List<String> dbsToMigrate,
        boolean setupLogicalReplicationOnSourceDbIfNeeded,
        boolean overwriteDbsInTarget,
        boolean migrateRoles,
        Instant migrationWindowStartTimeInUtc,
        Instant migrationWindowEndTimeInUtc,
        boolean startDataMigration,
        boolean triggerCutover,
        List<String> dbsToTriggerCutoverOn,
        boolean cancel,
        List<String> dbsToCancelMigrationOn,
        boolean allowReplicaIdentityFull,
        MigrationFilters filters) {

    public MigrationSpec {
        dbsToMigrate = dbsToMigrate == null ? null : List.copyOf(dbsToMigrate);
        dbsToTriggerCutoverOn = dbsToTriggerCutoverOn == null ? null : List.copyOf(dbsToTriggerCutoverOn);
        dbsToCancelMigrationOn = dbsToCancelMigrationOn == null ? null : List.copyOf(dbsToCancelMigrationOn);
    }

    /** Builds a copy with some fields changed; see {@link Builder}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Collects changes to a spec; {@link #build()} makes the new immutable spec. */
    public static final class Builder {
        public String sourceDbServerResourceId;
        public String sourceDbServerFullyQualifiedDomainName;
        public String targetDbServerFullyQualifiedDomainName;
        public String migrationInstanceResourceId;
        public MigrationMode migrationMode;
        public MigrationOption migrationOption;
        public String sourceType;
        public String sslMode;
        public List<String> dbsToMigrate;
        public boolean setupLogicalReplicationOnSourceDbIfNeeded;
        public boolean overwriteDbsInTarget;
        public boolean migrateRoles;
        public Instant migrationWindowStartTimeInUtc;
        public Instant migrationWindowEndTimeInUtc;
        public boolean startDataMigration;
        public boolean triggerCutover;
        public List<String> dbsToTriggerCutoverOn;
        public boolean cancel;
        public List<String> dbsToCancelMigrationOn;
        public boolean allowReplicaIdentityFull;
        public MigrationFilters filters;

        public Builder() {
            migrationMode = MigrationMode.OFFLINE;
            migrationOption = MigrationOption.VALIDATE_AND_MIGRATE;
        }

        Builder(MigrationSpec s) {
            sourceDbServerResourceId = s.sourceDbServerResourceId;
            sourceDbServerFullyQualifiedDomainName = s.sourceDbServerFullyQualifiedDomainName;
            targetDbServerFullyQualifiedDomainName = s.targetDbServerFullyQualifiedDomainName;
            migrationInstanceResourceId = s.migrationInstanceResourceId;
            migrationMode = s.migrationMode;
            migrationOption = s.migrationOption;
            sourceType = s.sourceType;
            sslMode = s.sslMode;
            dbsToMigrate = s.dbsToMigrate;
            setupLogicalReplicationOnSourceDbIfNeeded = s.setupLogicalReplicationOnSourceDbIfNeeded;
            overwriteDbsInTarget = s.overwriteDbsInTarget;
            migrateRoles = s.migrateRoles;
            migrationWindowStartTimeInUtc = s.migrationWindowStartTimeInUtc;
            migrationWindowEndTimeInUtc = s.migrationWindowEndTimeInUtc;
            startDataMigration = s.startDataMigration;
            triggerCutover = s.triggerCutover;
            dbsToTriggerCutoverOn = s.dbsToTriggerCutoverOn;
            cancel = s.cancel;
            dbsToCancelMigrationOn = s.dbsToCancelMigrationOn;
            allowReplicaIdentityFull = s.allowReplicaIdentityFull;
            filters = s.filters;
        }

        public MigrationSpec build() {
            return new MigrationSpec(sourceDbServerResourceId, sourceDbServerFullyQualifiedDomainName,
                    targetDbServerFullyQualifiedDomainName, migrationInstanceResourceId, migrationMode, migrationOption,
                    sourceType, sslMode, dbsToMigrate, setupLogicalReplicationOnSourceDbIfNeeded, overwriteDbsInTarget,
                    migrateRoles, migrationWindowStartTimeInUtc, migrationWindowEndTimeInUtc, startDataMigration,
                    triggerCutover, dbsToTriggerCutoverOn, cancel, dbsToCancelMigrationOn, allowReplicaIdentityFull,
                    filters);
        }
    }
}
