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

    /**
     * A constraint backed by an index: 'p' primary key, 'u' unique, 'x' exclusion.
     *
     * @param definition {@code pg_get_constraintdef} when the constraint must build its own index (exclusion
     *                   constraints, and from 18 a key {@code WITHOUT OVERLAPS}, whose GiST index {@code USING INDEX}
     *                   cannot take), else null
     */
    public record Constraint(long oid, String name, char type, boolean deferrable, boolean initiallyDeferred,
                             String definition) {

        /** True when {@code ADD CONSTRAINT name definition} builds the index, so it is not built beforehand. */
        public boolean buildsItsIndex() {
            return definition != null;
        }
    }
}
