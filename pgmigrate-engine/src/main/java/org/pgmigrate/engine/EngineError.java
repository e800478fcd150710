package org.pgmigrate.engine;

/**
 * What went wrong, as a code that the service maps to an ARM error and HTTP status and the CLI maps to an exit code.
 * {@link #userError()} separates the user's mistakes (shown as a message, no stack trace) from faults.
 */
public enum EngineError {
    INVALID_INPUT(true),
    SOURCE_UNREACHABLE(true),
    TARGET_UNREACHABLE(true),
    AUTHENTICATION_FAILED(true),
    DATABASE_NOT_FOUND(true),
    TARGET_DATABASE_EXISTS(true),
    /** The target database is the source database (one server reached under two names, or named twice). */
    SAME_DATABASE(true),
    /** A resumed run found a target database that is not the one the first run created. */
    TARGET_DATABASE_CHANGED(true),
    TARGET_OLDER_THAN_SOURCE(true),
    /** A server outside the supported range (pg.SupportedVersions), or a source too old for online migration. */
    UNSUPPORTED_VERSION(true),
    NO_SUITABLE_PG_DUMP(true),
    INSUFFICIENT_PRIVILEGE(true),
    /** The source cannot replicate logically now: wal_level is not logical, or no replication slot is free. */
    LOGICAL_REPLICATION_NOT_ENABLED(true),
    NO_REPLICA_IDENTITY(true),
    SCHEMA_RESTORE_FAILED(false),
    COPY_FAILED(false),
    INDEX_BUILD_FAILED(false),
    VERIFICATION_MISMATCH(false),
    REPLICATION_FAILED(false),
    REPLICATION_SLOT_LOST(false),
    /** A cutover step failed; replication goes on and the cutover can be triggered again. */
    CUTOVER_FAILED(false),
    SCHEMA_CHANGED_DURING_REPLICATION(false),
    /**
     * pgmigrate's own local files (work directory, checkpoints, schema archive) could not be written: permissions,
     * a full disk. Not the user's input as such, and not a bug: the message names the path and the reason.
     */
    WORK_FILES_FAILED(false),
    CANCELED(false),
    INTERNAL(false);

    private final boolean userError;

    EngineError(boolean userError) {
        this.userError = userError;
    }

    /** True when the fix is in the user's hands (input, credentials, server setup), not in pgmigrate. */
    public boolean userError() {
        return userError;
    }
}
