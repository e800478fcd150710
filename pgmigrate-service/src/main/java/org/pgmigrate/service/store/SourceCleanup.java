package org.pgmigrate.service.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What an online migration changed on a source and has not undone yet, for one database (its replication slot,
 * publication and replica identities) or, with an empty {@code database}, for the source server (settings changed
 * with ALTER SYSTEM by "setup replication"). It is written before the change is made, outlives the migration's own
 * record (a DELETE of the migration does not remove it), and is deleted once everything is undone. Immutable.
 *
 * @param migrationName the migration's ARM id when the record was written, for messages once it is deleted
 * @param source        where to undo: a conninfo string without the password
 * @param sealedPassword the source password sealed for {@link #sealOwner()}, or null
 * @param changes       the engine's record ({@code org.pgmigrate.engine.cdc.SourceChanges#encode()})
 * @param attemptedAt   when an undo was last tried, or null
 * @param problem       what the last try could not undo, with the SQL to run by hand, or null
 */
public record SourceCleanup(String migrationId, String database, String migrationName, String source,
                            String sealedPassword, String changes, Instant createdAt, Instant attemptedAt,
                            String problem) {

    /** The {@code database} of a server-level record. */
    public static final String SERVER = "";

    public SourceCleanup {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(changes, "changes");
    }

    public boolean serverLevel() {
        return database.isEmpty();
    }

    /** What the password is sealed for: it opens only for this record. */
    public String sealOwner() {
        return sealOwner(migrationId, database);
    }

    public static String sealOwner(String migrationId, String database) {
        return migrationId + "/source-cleanup/" + database;
    }

    public SourceCleanup withChanges(String newChanges) {
        return new SourceCleanup(migrationId, database, migrationName, source, sealedPassword, newChanges, createdAt,
                attemptedAt, problem);
    }

    public SourceCleanup attempted(Instant when, String newProblem) {
        return new SourceCleanup(migrationId, database, migrationName, source, sealedPassword, changes, createdAt, when,
                newProblem);
    }
}
