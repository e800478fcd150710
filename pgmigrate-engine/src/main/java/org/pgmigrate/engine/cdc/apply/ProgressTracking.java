package org.pgmigrate.engine.cdc.apply;

/** Where the applier records which source position the target has applied, atomically with the data. */
public enum ProgressTracking {
    /** A replication origin when the target user may use one, else a progress table. */
    AUTO,
    /**
     * A replication origin (pg_replication_origin_xact_setup before each commit). Superuser-only on PostgreSQL 11-13,
     * GRANTable from 14.
     */
    ORIGIN,
    /**
     * A row in {@code _pgmigrate.cdc_progress}, written in the same transaction as the data; commits are synchronous
     * so the row is durable when the commit returns. Dropped at cutover.
     */
    TABLE
}
