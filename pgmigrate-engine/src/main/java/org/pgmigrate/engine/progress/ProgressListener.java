package org.pgmigrate.engine.progress;

import java.time.Duration;

/**
 * Receives the engine's progress. Every method has a no-op default, so a listener implements only what it shows.
 *
 * <p>Called from the engine's worker threads, concurrently: implementations must be thread-safe and fast (they run
 * on the copy path), and must not throw. {@code database} is the source database's name in every call.
 */
public interface ProgressListener {

    ProgressListener NONE = new ProgressListener() {
    };

    default void phaseStarted(String database, Phase phase) {
    }

    default void phaseCompleted(String database, Phase phase, Duration took) {
    }

    /**
     * The tables to copy are known; the count and total size let a display compute an ETA. {@code totalBytes} is an
     * estimate (the tables' size on disk, not the COPY data that will travel): the bytes copied end above or below it.
     */
    default void tablesQueued(String database, int tables, long totalBytes) {
    }

    /**
     * A resumed run: earlier runs copied these rows and bytes (the parts their checkpoints record as done). Called
     * once, after {@link #tablesQueued}, only when they copied something; {@link #rowsCopied} then counts this run's.
     */
    default void copiedEarlier(String database, long rows, long bytes) {
    }

    default void tableStarted(String database, String table) {
    }

    /**
     * Rows and bytes copied since the previous call for this table (increments, not totals). For each part, the
     * increments add up to exactly the rows that landed on the target.
     */
    default void rowsCopied(String database, String table, long rows, long bytes) {
    }

    default void tableCompleted(String database, TableStats stats) {
    }

    default void tableFailed(String database, String table, String message) {
    }

    default void indexesBuilt(String database, String table, int indexes, Duration took) {
    }

    /** Verification finished (equal or not); a mismatch then fails the migration. */
    default void verified(String database, org.pgmigrate.engine.verify.VerificationReport report) {
    }

    /**
     * Something a person should read (a skipped setting, a resume caveat, a retried part). The engine logs it at INFO
     * only: presenting it is the listener's job ({@code clone} prints it, the service logs it as a warning), so that
     * it is said once.
     */
    default void notice(String database, String message) {
    }

    /**
     * An online migration's replication slot waits, before it can be created, for transactions that were open on the
     * source when its creation began: {@code message} names each session and how to end it. Called again whenever
     * that set changes. By default a {@link #notice}.
     */
    default void slotCreationWaiting(String database, String message) {
        notice(database, message);
    }
}
