package org.pgmigrate.service.migration;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

/**
 * Applies one PATCH to one migration: the user's side of the state machine. Runs inside the store's atomic update,
 * so what it reads is what it changes; throwing aborts the whole PATCH. Not thread-safe; one per request.
 */
final class MigrationPatcher {

    /** {@code migrationOperation} of a database whose cutover was requested and has not started yet. */
    static final String CUTOVER_REQUESTED = "Cutover requested";

    private final MigrationPatch patch;
    private final Instant now;
    private final SealedSecrets sealer;
    private Migration m;

    MigrationPatcher(Migration migration, MigrationPatch patch, Instant now, SealedSecrets sealer) {
        this.m = migration;
        this.patch = patch;
        this.now = now;
        this.sealer = sealer;
    }

    Migration apply() {
        if (patch.tags() != null) {
            m = m.withTags(patch.tags());
        }
        if (onlyTags()) {
            return m;
        }
        if (!m.isActive()) {
            throw finished();
        }
        if (Boolean.TRUE.equals(patch.triggerCutover())) {
            cutover();
        }
        if (patch.changesDefinition()) {
            changeDefinition();
        }
        if ((patch.secrets() != null || patch.changesDefinition()) && m.status().subState().beforeDataMigration()) {
            // Other servers, credentials or databases: the last validation says nothing about them; validate again.
            m = m.withValidationDetails(null);
        }
        if (patch.secrets() != null) {
            m = m.withSealedSecrets(sealer.seal(patch.secrets().over(sealer.open(m.sealedSecrets(), m.migrationId())),
                    m.migrationId()));
        }
        if (patch.overwriteDbsInTarget() != null) {
            m = m.withSpec(b -> {
                b.overwriteDbsInTarget = patch.overwriteDbsInTarget();
                return b;
            });
            if (patch.overwriteDbsInTarget() && m.status().equals(MigrationStatus.OVERWRITE_CONFIRMATION)) {
                m = m.moveTo(MigrationStatus.PREREQUISITES).withError("");
            }
        }
        if (patch.setupLogicalReplicationOnSourceDbIfNeeded() != null) {
            m = m.withSpec(b -> {
                b.setupLogicalReplicationOnSourceDbIfNeeded = patch.setupLogicalReplicationOnSourceDbIfNeeded();
                return b;
            });
            if (patch.setupLogicalReplicationOnSourceDbIfNeeded()
                    && m.status().equals(MigrationStatus.LOGICAL_REPLICATION_SETUP)) {
                m = m.moveTo(MigrationStatus.PREREQUISITES).withError("");
            }
        }
        if (patch.migrationWindowStartTimeInUtc() != null) {
            window();
        }
        if (patch.startDataMigration() != null) {
            m = m.withSpec(b -> {
                b.startDataMigration = patch.startDataMigration();
                return b;
            });
            if (patch.startDataMigration() && m.status().equals(MigrationStatus.WINDOW)) {
                m = m.moveTo(MigrationStatus.PREREQUISITES);
            }
        }
        if (Boolean.TRUE.equals(patch.cancel())) {
            cancel();
        }
        return m;
    }

    private boolean onlyTags() {
        return patch.secrets() == null && !patch.changesDefinition() && patch.overwriteDbsInTarget() == null
                && patch.setupLogicalReplicationOnSourceDbIfNeeded() == null && patch.migrationWindowStartTimeInUtc() == null
                && patch.startDataMigration() == null && patch.triggerCutover() == null && patch.cancel() == null
                && patch.dbsToTriggerCutoverOn() == null && patch.dbsToCancelMigrationOn() == null;
    }

    private void cutover() {
        if (m.spec().migrationMode() == MigrationMode.OFFLINE) {
            throw MigrationService.offlineCutover(m.key().name());
        }
        if (!m.status().equals(MigrationStatus.CUTOVER_TRIGGER)) {
            throw new ServiceException(ServiceError.INVALID_MIGRATION_STATE, "Cutover can be triggered only when the "
                    + "migration waits for it (WaitingForUserAction/WaitingForCutoverTrigger); migration '" + m.key().name()
                    + "' is " + m.status() + ".", "properties.triggerCutover");
        }
        List<String> dbs = checkSubset(patch.dbsToTriggerCutoverOn(), "properties.dbsToTriggerCutoverOn");
        List<String> requested = dbs == null || dbs.isEmpty() ? m.spec().dbsToMigrate() : dbs;
        boolean any = false;
        for (String db : requested) {
            DatabaseDetails d = m.dbDetails().get(db);
            if (d != null && d.migrationState() == DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER) {
                any = true;
                m = m.withDatabase(db, x -> x.withState(DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER,
                        CUTOVER_REQUESTED, x.message()));
            }
        }
        if (!any) {
            throw new ServiceException(ServiceError.INVALID_MIGRATION_STATE, "None of the databases " + requested
                    + " of migration '" + m.key().name() + "' waits for a cutover (their migrationState is not "
                    + "WaitingForCutoverTrigger).", "properties.dbsToTriggerCutoverOn");
        }
        m = m.withSpec(b -> {
            b.triggerCutover = true;
            b.dbsToTriggerCutoverOn = dbs;
            return b;
        }).moveTo(MigrationStatus.COMPLETING);
    }

    private void changeDefinition() {
        if (!m.status().subState().beforeDataMigration()) {
            throw new ServiceException(ServiceError.INVALID_MIGRATION_STATE, "The servers, dbsToMigrate, migrateRoles and "
                    + "migrationMode of migration '" + m.key().name() + "' can change only before data migration starts; "
                    + "it is " + m.status() + ". Cancel it and create a new one instead.", "properties");
        }
        m = m.withSpec(b -> {
            if (patch.sourceDbServerResourceId() != null) {
                b.sourceDbServerResourceId = patch.sourceDbServerResourceId();
            }
            if (patch.sourceDbServerFullyQualifiedDomainName() != null) {
                b.sourceDbServerFullyQualifiedDomainName = blankToNull(patch.sourceDbServerFullyQualifiedDomainName());
            }
            if (patch.targetDbServerFullyQualifiedDomainName() != null) {
                b.targetDbServerFullyQualifiedDomainName = blankToNull(patch.targetDbServerFullyQualifiedDomainName());
            }
            if (patch.dbsToMigrate() != null) {
                b.dbsToMigrate = patch.dbsToMigrate();
            }
            if (patch.migrateRoles() != null) {
                b.migrateRoles = patch.migrateRoles();
            }
            if (patch.migrationMode() != null) {
                b.migrationMode = patch.migrationMode();
            }
            return b;
        });
        if (patch.dbsToMigrate() != null && m.status().equals(MigrationStatus.DBS_SPECIFICATION)) {
            m = m.moveTo(MigrationService.waitsForWindow(m.spec(), now) ? MigrationStatus.WINDOW : MigrationStatus.PREREQUISITES);
        }
    }

    private void window() {
        if (!m.status().subState().beforeDataMigration()) {
            throw new ServiceException(ServiceError.INVALID_MIGRATION_STATE, "migrationWindowStartTimeInUtc can change only "
                    + "before data migration starts; migration '" + m.key().name() + "' is " + m.status() + ".",
                    "properties.migrationWindowStartTimeInUtc");
        }
        Instant end = m.spec().migrationWindowEndTimeInUtc();
        if (end != null && !end.isAfter(patch.migrationWindowStartTimeInUtc())) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "migrationWindowStartTimeInUtc ("
                    + patch.migrationWindowStartTimeInUtc() + ") must be before migrationWindowEndTimeInUtc (" + end + ").",
                    "properties.migrationWindowStartTimeInUtc");
        }
        m = m.withSpec(b -> {
            b.migrationWindowStartTimeInUtc = patch.migrationWindowStartTimeInUtc();
            return b;
        });
        boolean waits = MigrationService.waitsForWindow(m.spec(), now);
        if (m.status().equals(MigrationStatus.WINDOW) && !waits) {
            m = m.moveTo(MigrationStatus.PREREQUISITES);
        } else if (m.status().equals(MigrationStatus.PREREQUISITES) && waits) {
            m = m.moveTo(MigrationStatus.WINDOW);
        }
    }

    private void cancel() {
        List<String> requested = checkSubset(patch.dbsToCancelMigrationOn(), "properties.dbsToCancelMigrationOn");
        List<String> all = m.spec().dbsToMigrate() == null ? List.of() : m.spec().dbsToMigrate();
        List<String> dbs = requested == null || requested.isEmpty() ? all : requested;
        m = m.withSpec(b -> {
            b.cancel = true;
            b.dbsToCancelMigrationOn = requested;
            return b;
        });
        boolean whole = requested == null || requested.isEmpty() || allCanceledWith(dbs);
        boolean workerIdle = !m.status().subState().needsWorker();
        for (String db : dbs) {
            m = m.withDatabase(db, d -> d.migrationState().isFinished() ? d
                    : workerIdle || !whole && d.startedOn() == null && m.status().subState().beforeDataMigration()
                            ? d.withState(DatabaseMigrationState.CANCELED, "Canceled", String.format(MigrationService.CANCEL_NOTE, db))
                            : d.withState(DatabaseMigrationState.CANCELING, "Canceling", null));
        }
        if (whole) {
            m = m.moveTo(workerIdle ? MigrationStatus.CANCELED_DONE : MigrationStatus.CANCELING);
        }
    }

    private boolean allCanceledWith(List<String> dbs) {
        List<String> remaining = new ArrayList<>(m.spec().dbsToMigrate() == null ? List.of() : m.spec().dbsToMigrate());
        remaining.removeAll(dbs);
        remaining.removeIf(db -> {
            DatabaseDetails d = m.dbDetails().get(db);
            return d != null && (d.migrationState() == DatabaseMigrationState.CANCELED
                    || d.migrationState() == DatabaseMigrationState.CANCELING);
        });
        return remaining.isEmpty();
    }

    private List<String> checkSubset(List<String> dbs, String property) {
        if (dbs == null) {
            return null;
        }
        List<String> known = m.spec().dbsToMigrate() == null ? List.of() : m.spec().dbsToMigrate();
        for (String db : dbs) {
            if (!known.contains(db)) {
                throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, property + " names '" + db + "', which "
                        + "is not in dbsToMigrate " + known + " of migration '" + m.key().name() + "'.", property);
            }
        }
        return dbs;
    }

    private ServiceException finished() {
        String what = Boolean.TRUE.equals(patch.cancel()) ? "cancel" : Boolean.TRUE.equals(patch.triggerCutover())
                ? "cut over" : "change";
        String hint = Boolean.TRUE.equals(patch.cancel())
                ? " Only a migration that is InProgress or WaitingForUserAction can be canceled."
                : Boolean.TRUE.equals(patch.triggerCutover())
                ? " Cutover can't be initiated for a migration that is already completed, failed or canceled."
                : " Only its tags can change; create a new migration instead.";
        return new ServiceException(ServiceError.INVALID_MIGRATION_STATE, "Cannot " + what + " migration '" + m.key().name()
                + "': it is already " + m.status().state().wireName() + "." + hint, "properties");
    }

    private static String blankToNull(String s) {
        return s.isBlank() ? null : s;
    }
}
