package org.pgmigrate.engine.cdc;

/** Where one database's online replication stands. */
public enum ReplicationState {
    /** Created; nothing exists on the servers yet. */
    NEW,
    /** Publication and slot exist; the exported snapshot is held for the base copy. */
    PREPARED,
    /** Changes stream from the source into the local spool (the base copy may still run). */
    CAPTURING,
    /** Changes are also applied to the target. */
    APPLYING,
    /** Cutover is draining the last changes. */
    CUTTING_OVER,
    /** Cutover finished; slot, publication and origin are gone. */
    COMPLETED,
    /** Canceled; slot and publication are gone. */
    CANCELED,
    /** Stopped on an error; see {@link ReplicationStats#failure()}. The slot is kept so the migration can resume. */
    FAILED,
    /** Stopped by close() without cutover; the slot is kept so the migration can resume. */
    STOPPED
}
