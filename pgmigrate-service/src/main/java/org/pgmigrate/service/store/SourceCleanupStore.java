package org.pgmigrate.service.store;

import java.util.List;
import java.util.Optional;

/**
 * Durable {@link SourceCleanup} records, one per migration and database (and one per migration for the source
 * server). They do not go away with the migration: only {@link #delete} removes one. Implementations are thread-safe
 * and every write is durable when the method returns.
 */
public interface SourceCleanupStore {

    Optional<SourceCleanup> find(String migrationId, String database);

    /** Inserts or replaces the record of {@code (migrationId, database)}. */
    void put(SourceCleanup cleanup);

    /**
     * {@link #put(SourceCleanup)} by the run that holds {@code lease} on the record's migration.
     *
     * @throws LeaseLostException when {@code lease} is no longer the migration's, with nothing written
     */
    void put(SourceCleanup cleanup, Lease lease);

    void delete(String migrationId, String database);

    /**
     * {@link #delete(String, String)} by the run that holds {@code lease} on the migration.
     *
     * @throws LeaseLostException when {@code lease} is no longer the migration's, with nothing deleted
     */
    void delete(String migrationId, String database, Lease lease);

    /** Every record, oldest first. */
    List<SourceCleanup> list();
}
