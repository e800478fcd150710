package org.pgmigrate.engine.progress;

/** The phases of one database's migration, in order. */
public enum Phase {
    INSPECT,
    SNAPSHOT,
    CREATE_DATABASE,
    PRE_DATA,
    COPY,
    INDEXES,
    POST_DATA,
    SEQUENCES,
    LARGE_OBJECTS,
    ANALYZE,
    VERIFY,
    REPLICATION,
    CUTOVER
}
