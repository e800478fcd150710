package org.pgmigrate.service.migration;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.server.EndpointResolver;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.ServerStore;

/**
 * The migrations resource, independent of HTTP: create (PUT), read, list, change (PATCH), cancel or delete
 * (DELETE), and check a name. It validates requests, applies the user's side of the state machine (confirmations,
 * window changes, cancel) atomically through {@link MigrationStore#update}, and tells the workers through
 * {@link MigrationEvents}. The workers own the rest of the state machine.
 *
 * <p>Thread-safe. Creation and definition changes are serialized so that the "database already in an active
 * migration" check cannot race with another create on this node.
 */
public final class MigrationService {

    /** What a canceled database's {@code message} says: the seed's cancel keeps the target as it is. */
    public static final String CANCEL_NOTE = "Migration canceled. pgmigrate does not drop or roll back what it already "
            + "wrote: database '%s' on the target may hold a partial copy. Drop it there if you do not want it.";

    /** PATCH {"properties": {"cancel": "True"}}: every database of the migration. */
    private static final MigrationPatch CANCEL_ALL = new MigrationPatch(null, null, null, null, null, null, null, null,
            null, null, null, null, null, true, null, null);

    private final MigrationStore store;
    private final ServerStore servers;
    private final EndpointResolver resolver;
    private final SealedSecrets sealer;
    private final MigrationEvents events;
    private final Clock clock;
    private final Object definitionLock = new Object();

    public MigrationService(MigrationStore store, ServerStore servers, EndpointResolver resolver, SealedSecrets sealer,
                            MigrationEvents events, Clock clock) {
        this.store = store;
        this.servers = servers;
        this.resolver = resolver;
        this.sealer = sealer;
        this.events = events;
        this.clock = clock;
    }

    /** The result of a PUT: the migration, and whether it was created (201) or already existed identically (200). */
    public record Creation(Migration migration, boolean created) {
    }

    /** The result of a DELETE: the canceled migration (200 with body), or nothing (deleted or absent). */
    public record Deletion(Optional<Migration> canceled, boolean existed) {
    }

    /** The answer of checkMigrationNameAvailability. {@code reason} is Invalid or AlreadyExists when unavailable. */
    public record NameAvailability(String name, boolean available, String reason, String message) {
    }

    public Creation create(MigrationKey key, MigrationDraft draft) {
        MigrationNames.problem(key.name()).ifPresent(p -> {
            throw new ServiceException(ServiceError.INVALID_RESOURCE_NAME, p, "migrationName");
        });
        MigrationSpec spec = draft.spec();
        if (spec.dbsToMigrate() != null) {
            DatabaseNames.check(spec.dbsToMigrate(), "properties.dbsToMigrate");
        }
        checkWindow(spec.migrationWindowStartTimeInUtc(), spec.migrationWindowEndTimeInUtc());
        if (spec.triggerCutover() && spec.migrationMode() == MigrationMode.OFFLINE) {
            throw offlineCutover(key.name());
        }
        if (spec.triggerCutover()) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "A new online migration cannot be created "
                    + "with triggerCutover set to True: there is nothing to cut over before its base copy is done. Once "
                    + "it waits in WaitingForCutoverTrigger, PATCH {\"properties\": {\"triggerCutover\": \"True\"}} "
                    + "(pgmigrate migration update --cutover).", "properties.triggerCutover");
        }
        if (spec.cancel()) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "A new migration cannot be created with "
                    + "cancel set to True. Create it, then cancel it with a PATCH.", "properties.cancel");
        }
        resolver.resolve(key, spec, draft.secrets());
        synchronized (definitionLock) {
            Optional<Migration> existing = store.find(key);
            if (existing.isPresent()) {
                if (sameRequest(existing.get(), draft)) {
                    return new Creation(existing.get(), false);
                }
                throw nameTaken(key);
            }
            if (spec.dbsToMigrate() != null) {
                checkNotInActiveMigration(key, spec.dbsToMigrate(), null);
            }
            Instant now = clock.instant();
            String id = UUID.randomUUID().toString();
            MigrationStatus status = spec.dbsToMigrate() == null ? MigrationStatus.DBS_SPECIFICATION
                    : waitsForWindow(spec, now) ? MigrationStatus.WINDOW : MigrationStatus.PREREQUISITES;
            String location = draft.location() != null ? draft.location()
                    : servers.find(key.target()).map(RegisteredServer::location).orElse("local");
            Migration m = new Migration(key, id, location, draft.tags(), spec, status, "", Map.of(), null, null, null,
                    null, now, now, sealer.seal(draft.secrets(), id), 0);
            if (!store.insert(m)) {
                throw nameTaken(key);
            }
            Migration stored = store.findById(id).orElseThrow();
            events.changed(stored);
            return new Creation(stored, true);
        }
    }

    public Migration get(MigrationKey key) {
        return store.find(key).orElseThrow(() -> notFound(key));
    }

    /** The target's migrations: all of them, or only the active ones ({@code migrationListFilter=Active}). */
    /**
     * The target server's migrations. A server that is neither registered nor the target of any stored migration
     * (one may name an unregistered target by its FQDN) is a missing parent, as in ARM: 404 ParentResourceNotFound,
     * not an empty list that hides a misspelled name.
     */
    public List<Migration> list(ServerKey target, boolean all) {
        List<Migration> stored = store.listByTarget(target);
        if (stored.isEmpty() && servers.find(target).isEmpty()) {
            throw new ServiceException(ServiceError.PARENT_RESOURCE_NOT_FOUND, "The target server '" + target.name()
                    + "' (resource group '" + target.resourceGroup() + "') is not registered, and no migration targets it. Check the name, or "
                    + "register it first (PUT " + target.id() + ", or pgmigrate server create -g "
                    + target.resourceGroup() + " -n " + target.name() + " --host H --port P).", "serverName");
        }
        List<Migration> result = new ArrayList<>();
        for (Migration m : stored) {
            if (all || m.isActive()) {
                result.add(m);
            }
        }
        return result;
    }

    public Migration patch(MigrationKey key, MigrationPatch patch) {
        Migration current = get(key);
        if (patch.dbsToMigrate() != null) {
            DatabaseNames.check(patch.dbsToMigrate(), "properties.dbsToMigrate");
        }
        synchronized (definitionLock) {
            if (patch.dbsToMigrate() != null) {
                checkNotInActiveMigration(key, patch.dbsToMigrate(), current.migrationId());
            }
            if (patch.secrets() != null || patch.changesDefinition()) {
                // a dry run on the current state, so that unresolvable servers fail the PATCH before anything is written
                Migration preview = new MigrationPatcher(current, patch, clock.instant(), sealer).apply();
                resolver.resolve(key, preview.spec(), secrets(preview));
            }
            Migration updated = store.update(current.migrationId(), m -> new MigrationPatcher(m, patch, clock.instant(),
                    sealer).apply()).orElseThrow(() -> notFound(key));
            if (Boolean.TRUE.equals(patch.cancel())) {
                events.cancelRequested(updated);
            }
            events.changed(updated);
            return updated;
        }
    }

    /** DELETE: cancels an active migration (like PATCH cancel=True), or deletes a finished one to free its name. */
    public Deletion delete(MigrationKey key) {
        Optional<Migration> current = store.find(key);
        if (current.isEmpty()) {
            return new Deletion(Optional.empty(), false);
        }
        if (current.get().isActive()) {
            try {
                return new Deletion(Optional.of(patch(key, CANCEL_ALL)), true);
            } catch (ServiceException e) {
                if (e.error() != ServiceError.INVALID_MIGRATION_STATE) {
                    throw e;
                }
                // it finished meanwhile: delete it below
            }
        }
        store.delete(current.get().migrationId());
        return new Deletion(Optional.empty(), true);
    }

    /**
     * DELETE as {@code Migrations_Cancel} (api-version 2025-06-01-preview and later): cancels an active migration
     * like PATCH cancel=True; an ended one stays as it is, record and name included. Empty when there is none.
     */
    public Optional<Migration> cancel(MigrationKey key) {
        Optional<Migration> current = store.find(key);
        if (current.isEmpty() || !current.get().isActive()) {
            return current;
        }
        try {
            return Optional.of(patch(key, CANCEL_ALL));
        } catch (ServiceException e) {
            if (e.error() != ServiceError.INVALID_MIGRATION_STATE) {
                throw e;
            }
            return store.find(key); // it ended meanwhile
        }
    }

    public NameAvailability checkName(ServerKey target, String name) {
        Optional<String> problem = MigrationNames.problem(name);
        if (problem.isPresent()) {
            return new NameAvailability(name, false, "Invalid", problem.get());
        }
        if (store.find(new MigrationKey(target, name)).isPresent()) {
            return new NameAvailability(name, false, "AlreadyExists", "A migration named '" + name
                    + "' already exists on target server '" + target.name() + "'. Choose another name.");
        }
        return new NameAvailability(name, true, null, null);
    }

    /** The migration's secret parameters, opened (for the workers). */
    public SecretParameters secrets(Migration m) {
        return sealer.open(m.sealedSecrets(), m.migrationId());
    }

    static ServiceException offlineCutover(String name) {
        return new ServiceException(ServiceError.CUTOVER_NOT_ALLOWED_OFFLINE, "Cutover is not possible for migration "
                + name + " if the migration_mode set to offline. The migration will cutover automatically",
                "properties.triggerCutover");
    }

    static boolean waitsForWindow(MigrationSpec spec, Instant now) {
        return !spec.startDataMigration() && spec.migrationWindowStartTimeInUtc() != null
                && spec.migrationWindowStartTimeInUtc().isAfter(now);
    }

    private void checkWindow(Instant start, Instant end) {
        if (end != null) {
            if (start != null && !end.isAfter(start)) {
                throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "migrationWindowEndTimeInUtc (" + end
                        + ") must be after migrationWindowStartTimeInUtc (" + start + ").",
                        "properties.migrationWindowEndTimeInUtc");
            }
            if (!end.isAfter(clock.instant())) {
                throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "migrationWindowEndTimeInUtc (" + end
                        + ") is in the past. Give a future end, or leave it out.", "properties.migrationWindowEndTimeInUtc");
            }
        }
    }

    private void checkNotInActiveMigration(MigrationKey key, List<String> dbs, String exceptMigrationId) {
        Set<String> wanted = new HashSet<>(dbs);
        for (Migration other : store.listByTarget(key.target())) {
            if (!other.isActive() || other.migrationId().equals(exceptMigrationId) || other.spec().dbsToMigrate() == null) {
                continue;
            }
            List<String> overlap = new ArrayList<>(other.spec().dbsToMigrate());
            overlap.retainAll(wanted);
            if (!overlap.isEmpty()) {
                throw new ServiceException(ServiceError.DATABASE_IN_ACTIVE_MIGRATION, "Database" + (overlap.size() > 1 ? "s " : " ")
                        + String.join(", ", overlap.stream().map(d -> "'" + d + "'").toList()) + (overlap.size() > 1 ? " are" : " is")
                        + " already being migrated to target server '" + key.target().name() + "' by the active migration '"
                        + other.key().name() + "' (" + other.status() + "). Wait for it to finish or cancel it.",
                        "properties.dbsToMigrate");
            }
        }
    }

    private boolean sameRequest(Migration existing, MigrationDraft draft) {
        if (!existing.isActive() || !existing.spec().equals(draft.spec())
                || !existing.tags().equals(draft.tags() == null ? Map.of() : new LinkedHashMap<>(draft.tags()))) {
            return false;
        }
        try {
            return secrets(existing).equals(draft.secrets());
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static ServiceException nameTaken(MigrationKey key) {
        return new ServiceException(ServiceError.RESOURCE_ALREADY_EXISTS, "A migration named '" + key.name()
                + "' already exists on target server '" + key.target().name() + "'. No two migrations to a target can "
                + "have the same name: choose another (see checkMigrationNameAvailability), change the existing one with "
                + "PATCH, or DELETE it first.", "migrationName");
    }

    static ServiceException notFound(MigrationKey key) {
        return new ServiceException(ServiceError.RESOURCE_NOT_FOUND, "The Resource 'Microsoft.DBforPostgreSQL/flexibleServers/"
                + key.target().name() + "/migrations/" + key.name() + "' under resource group '"
                + key.target().resourceGroup() + "' was not found.");
    }

}
