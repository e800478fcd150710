package org.pgmigrate.service.store;

/**
 * All the service's durable state in one place: migrations (with their leases and checkpoints), registered servers
 * and source cleanups. Two implementations: {@code store.sqlite.SqliteStore} (one file in the data dir, one node)
 * and {@code store.postgres.PostgresStore} (a PostgreSQL database that several nodes share). Both pass the same
 * contract tests and use the same schema version numbers.
 */
public interface ServiceStore extends AutoCloseable {

    MigrationStore migrations();

    ServerStore servers();

    SourceCleanupStore sourceCleanups();

    /** Where the store is, for messages and {@code /healthz}: a file, or {@code postgresql://user@host:port/db}. */
    String describe();

    /** The schema version the store is at (this build's, once opened). */
    int schemaVersion();

    @Override
    void close();
}
