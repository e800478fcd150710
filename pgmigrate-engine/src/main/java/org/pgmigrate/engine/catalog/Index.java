package org.pgmigrate.engine.catalog;

/**
 * An index the engine builds itself, right after its table's data lands, instead of leaving it to post-data.
 *
 * @param definition      {@code pg_get_indexdef}, schema-qualified
 * @param constraint      the PRIMARY KEY / UNIQUE / EXCLUDE constraint the index backs, or null for a plain index
 * @param replicaIdentity the table's REPLICA IDENTITY USING INDEX points at it (pg_dump restores that with the index)
 * @param clustered       the table is CLUSTERed on it
 */
public record Index(long oid, long tableOid, String schema, String name, String definition, Constraint constraint,
                    boolean replicaIdentity, boolean clustered) {

    /** A constraint backed by an index: 'p' primary key, 'u' unique, 'x' exclusion. */
    public record Constraint(long oid, String name, char type, boolean deferrable, boolean initiallyDeferred,
                             String definition) {
    }
}
