package org.pgmigrate.service.migration;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A migration resource: where it lives, what the user asked for ({@link MigrationSpec}), and where it stands
 * (status, per-database details, validation and verification results). Immutable; every change makes a copy, and
 * the store writes copies atomically (see {@code MigrationStore.update}).
 *
 * @param sealedSecrets the {@link SecretParameters}, sealed with AES-GCM; never plain text, never on the wire
 * @param sourceServerMetadata what the source server told once connected (version, storage used, location), or null
 * @param targetServerMetadata likewise for the target
 * @param version       the store's row version, for optimistic checks; 0 before the first insert
 */
public record Migration(
        MigrationKey key,
        String migrationId,
        String location,
        Map<String, String> tags,
        MigrationSpec spec,
        MigrationStatus status,
        String error,
        Map<String, DatabaseDetails> dbDetails,
        ValidationDetails validationDetails,
        VerificationDetails verificationDetails,
        ServerMetadata sourceServerMetadata,
        ServerMetadata targetServerMetadata,
        Instant createdAt,
        Instant updatedAt,
        String sealedSecrets,
        long version) {

    public Migration {
        tags = tags == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        dbDetails = dbDetails == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(dbDetails));
        error = error == null ? "" : error;
    }

    /** Active: listed by {@code migrationListFilter=Active}, and its databases are reserved on its target. */
    public boolean isActive() {
        return !status.isTerminal();
    }

    public Migration moveTo(MigrationStatus next) {
        return with(status.moveTo(next), error, dbDetails);
    }

    /** Ends the migration as {@code Failed/Completed} with {@code message} as {@code currentStatus.error}. */
    public Migration fail(String message) {
        return with(status.moveTo(MigrationStatus.FAILED_DONE), message, dbDetails);
    }

    public Migration withError(String message) {
        return with(status, message, dbDetails);
    }

    public Migration withSpec(MigrationSpec newSpec) {
        return new Migration(key, migrationId, location, tags, newSpec, status, error, dbDetails, validationDetails,
                verificationDetails, sourceServerMetadata, targetServerMetadata, createdAt, updatedAt, sealedSecrets, version);
    }

    public Migration withSpec(UnaryOperator<MigrationSpec.Builder> change) {
        return withSpec(change.apply(spec.toBuilder()).build());
    }

    public Migration withTags(Map<String, String> newTags) {
        return new Migration(key, migrationId, location, newTags, spec, status, error, dbDetails, validationDetails,
                verificationDetails, sourceServerMetadata, targetServerMetadata, createdAt, updatedAt, sealedSecrets, version);
    }

    public Migration withSealedSecrets(String sealed) {
        return new Migration(key, migrationId, location, tags, spec, status, error, dbDetails, validationDetails,
                verificationDetails, sourceServerMetadata, targetServerMetadata, createdAt, updatedAt, sealed, version);
    }

    public Migration withDbDetails(Map<String, DatabaseDetails> details) {
        return with(status, error, details);
    }

    /** Replaces one database's details (inserting it if new), keeping the order of the others. */
    public Migration withDatabase(String database, UnaryOperator<DatabaseDetails> change) {
        Map<String, DatabaseDetails> copy = new LinkedHashMap<>(dbDetails);
        copy.put(database, change.apply(copy.getOrDefault(database, DatabaseDetails.queued(database))));
        return with(status, error, copy);
    }

    public Migration withValidationDetails(ValidationDetails details) {
        return new Migration(key, migrationId, location, tags, spec, status, error, dbDetails, details,
                verificationDetails, sourceServerMetadata, targetServerMetadata, createdAt, updatedAt, sealedSecrets, version);
    }

    public Migration withVerificationDetails(VerificationDetails details) {
        return new Migration(key, migrationId, location, tags, spec, status, error, dbDetails, validationDetails,
                details, sourceServerMetadata, targetServerMetadata, createdAt, updatedAt, sealedSecrets, version);
    }

    public Migration withServerMetadata(ServerMetadata source, ServerMetadata target) {
        return new Migration(key, migrationId, location, tags, spec, status, error, dbDetails, validationDetails,
                verificationDetails, source, target, createdAt, updatedAt, sealedSecrets, version);
    }

    /** Stamped by the store on each write. */
    public Migration stored(Instant when, long newVersion) {
        return new Migration(key, migrationId, location, tags, spec, status, error, dbDetails, validationDetails,
                verificationDetails, sourceServerMetadata, targetServerMetadata, createdAt, when, sealedSecrets, newVersion);
    }

    private Migration with(MigrationStatus newStatus, String newError, Map<String, DatabaseDetails> details) {
        return new Migration(key, migrationId, location, tags, spec, newStatus, newError, details, validationDetails,
                verificationDetails, sourceServerMetadata, targetServerMetadata, createdAt, updatedAt, sealedSecrets, version);
    }

    @Override
    public String toString() {
        return "Migration[" + key.id() + ", " + status + ", id " + migrationId + "]";
    }
}
