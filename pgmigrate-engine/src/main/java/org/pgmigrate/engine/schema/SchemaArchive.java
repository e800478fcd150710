package org.pgmigrate.engine.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.files.OwnerOnly;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source database's schema as one pg_dump custom-format archive (pre-data and post-data, no data), taken
 * inside the migration's snapshot. pg_restore then replays pre-data before the copy and post-data after it, each
 * through a filtered list, so that objects the engine makes itself (indexes and key constraints of plain tables)
 * are never made twice.
 *
 * <p>The archive and the restore lists are 0600: they hold the source's schema. Immutable after {@link #dump}; safe
 * to share.
 */
public final class SchemaArchive {

    private static final Logger log = LoggerFactory.getLogger(SchemaArchive.class);
    /**
     * Pre-data entries per transaction: the value pg_upgrade gives {@code pg_restore --transaction-size}. A slice
     * holds a lock on every relation it creates until its commit, a few per table (its TOAST table and index too).
     */
    static final int PRE_DATA_ENTRIES_PER_TRANSACTION = 1000;
    /** The server's error when the shared lock table is full (SQLSTATE 53200), as pg_restore prints it. */
    private static final String OUT_OF_LOCK_SPACE = "max_locks_per_transaction";

    private static final java.util.regex.Pattern OWN_PUBLICATION =
            java.util.regex.Pattern.compile("^PUBLICATION( TABLE| TABLES IN SCHEMA)? \\S+ pgmigrate_");

    private final PgTools tools;
    private final Path file;
    private final List<TocEntry> entries;
    private final boolean keepOwnership;
    private final TocSkips skips;

    private SchemaArchive(PgTools tools, Path file, List<TocEntry> entries, boolean keepOwnership, TocSkips skips) {
        this.tools = tools;
        this.file = file;
        this.entries = entries;
        this.keepOwnership = keepOwnership;
        this.skips = skips;
    }

    /**
     * Dumps the schema of {@code source} as of {@code snapshot} into {@code file}.
     *
     * @param keepOwnership keep owners and GRANTs (roles were migrated); otherwise the target user owns everything
     * @param filterArguments pg_dump options that leave out what the migration's filters leave out
     *                        ({@code TableSelection.pgDumpArguments}), or none
     */
    public static SchemaArchive dump(PgTools tools, PgEndpoint source, String snapshot, Path file, boolean keepOwnership,
                                     List<String> filterArguments, Cancellation cancel) {
        // pg_dump would create the archive 0644 (its umask); made 0600 first, pg_dump truncates it and keeps the mode.
        OwnerOnly.file(file);
        List<String> command = new ArrayList<>(List.of(tools.pgDump().toString(), "--format=custom",
                "--section=pre-data", "--section=post-data", "--no-tablespaces", "--no-subscriptions",
                "--file=" + file));
        if (snapshot != null) {
            command.add("--snapshot=" + snapshot);
        }
        if (!keepOwnership) {
            command.add("--no-owner");
            command.add("--no-privileges");
        }
        command.addAll(filterArguments);
        command.add("--dbname=" + source.conninfoWithoutPassword());
        ToolProcess.run(command, source, cancel, EngineError.SCHEMA_RESTORE_FAILED, "pg_dump of the schema");
        return open(tools, file, keepOwnership, cancel, source);
    }

    /** Reopens an archive an earlier run dumped (resume). */
    public static SchemaArchive open(PgTools tools, Path file, boolean keepOwnership, Cancellation cancel,
                                     PgEndpoint anyEndpoint) {
        String listing = ToolProcess.run(List.of(tools.pgRestore().toString(), "--list", file.toString()), anyEndpoint,
                cancel, EngineError.SCHEMA_RESTORE_FAILED, "pg_restore --list");
        List<TocEntry> entries = listing.lines().map(TocEntry::parse).flatMap(java.util.Optional::stream).toList();
        return new SchemaArchive(tools, file, entries, keepOwnership, TocSkips.NONE);
    }

    public Path file() {
        return file;
    }

    /**
     * This archive restoring without what a migration leaves out on request: the entries of large objects (so that
     * none is created, even empty) and of extensions (CREATE EXTENSION and COMMENT ON EXTENSION), in both sections.
     */
    public SchemaArchive skipping(boolean largeObjects, boolean extensions) {
        return new SchemaArchive(tools, file, entries, keepOwnership, new TocSkips(largeObjects, extensions));
    }

    /** The source's extensions that the restore leaves out ({@link #skipping}), by name; empty when none are. */
    public List<String> skippedExtensions() {
        return entries.stream().filter(skips).map(TocSkips::extensionName).flatMap(java.util.Optional::stream).toList();
    }

    /**
     * Restores the pre-data section into {@code target}: types, functions, tables, sequences, views...
     *
     * <p>pg_restore alone sends each entry as a statement that the server commits on its own, and on a schema of
     * thousands of tables most of the time went into those commits. So the entries go in transactions of
     * {@link #PRE_DATA_ENTRIES_PER_TRANSACTION} (one {@code pg_restore --single-transaction} per slice of the list,
     * in order), which is what PostgreSQL 17's {@code pg_restore --transaction-size} does, with the tools of any
     * version. A slice that runs out of lock space (its locks last until its commit) rolls back whole, and is
     * restored again an entry per transaction.
     *
     * <p>The sessions run with {@code synchronous_commit=off}: a commit does not wait for its flush. That is safe
     * only because the caller makes the restore durable ({@link org.pgmigrate.engine.pg.WalFlush}) before recording
     * pre-data as done: a target that crashes before then loses the last slices, and the resumed run, seeing
     * pre-data not done, drops the database it created and restores again.
     */
    public void restorePreData(PgEndpoint target, Path workDir, Cancellation cancel) {
        List<TocEntry> kept = entries.stream().filter(e -> !isOwnPublicationOrPublicSchema(e) && !skips.test(e))
                .toList();
        for (int from = 0, slice = 1; from < kept.size(); from += PRE_DATA_ENTRIES_PER_TRANSACTION, slice++) {
            List<TocEntry> sliceEntries = kept.subList(from,
                    Math.min(kept.size(), from + PRE_DATA_ENTRIES_PER_TRANSACTION));
            Path list = workDir.resolve("pre-data-" + slice + ".list");
            try {
                restore(target, list, sliceEntries, "pre-data", 1, true, List.of("synchronous_commit=off"), cancel);
            } catch (EngineException e) {
                if (!e.getMessage().contains(OUT_OF_LOCK_SPACE)) {
                    throw e;
                }
                log.info("Pre-data entries {} to {} need more locks than one transaction on the target may hold"
                        + " (max_locks_per_transaction); restoring them an entry per transaction.", from + 1,
                        from + sliceEntries.size());
                restore(target, list, sliceEntries, "pre-data", 1, false, List.of("synchronous_commit=off"), cancel);
            }
        }
    }

    /**
     * Restores post-data except the indexes and constraints whose OIDs are in {@code builtByEngine}: foreign keys,
     * triggers, rules, partitioned indexes, materialized view refreshes and the rest, with {@code jobs} parallel
     * sessions.
     *
     * <p>Resumable: an earlier run may have been killed in the middle of it. Its pg_restore, which outlives a kill -9
     * of its parent, is stopped first; then the entries the target already has ({@link PostDataOnTarget}) are left
     * out, and the rest restored. ({@code --single-transaction} cannot make post-data atomic instead: it excludes
     * {@code --jobs}, and index and foreign key builds need the parallelism.)
     *
     * @param sourceInSnapshot a source session in the snapshot this archive was dumped in
     * @param targetSession    a session on the target database
     */
    public PostDataRestore restorePostData(PgEndpoint target, Path workDir, Set<Long> builtByEngine, int jobs,
                                           Connection sourceInSnapshot, Connection targetSession, Cancellation cancel)
            throws SQLException {
        int ended = TargetDatabase.endLeftoverRestores(targetSession, target.database());
        Predicate<TocEntry> notBuilt = e -> (!builtByEngine.contains(e.objectOid()) || !(e.is("INDEX") || e.is("CONSTRAINT")))
                && !skips.test(e);
        Set<Integer> there = PostDataOnTarget.find(entries.stream().filter(notBuilt).toList(), sourceInSnapshot,
                targetSession, keepOwnership);
        restore(target, workDir.resolve("post-data.list"),
                entries.stream().filter(e -> notBuilt.test(e) && !there.contains(e.dumpId())).toList(),
                "post-data", jobs, false, List.of(), cancel);
        return new PostDataRestore(ended, there.size());
    }

    /**
     * What a post-data restore found of an earlier, interrupted one.
     *
     * @param endedSessions sessions of a pg_restore left running by a killed run, terminated first
     * @param alreadyThere  entries the target already had, left out
     */
    public record PostDataRestore(int endedSessions, int alreadyThere) {
    }

    private void restore(PgEndpoint target, Path list, List<TocEntry> kept, String section, int jobs,
                         boolean singleTransaction, List<String> sessionSettings, Cancellation cancel) {
        try {
            Files.write(OwnerOnly.file(list), kept.stream().map(TocEntry::line).toList());
        } catch (IOException e) {
            throw OwnerOnly.failure("write the restore list " + list, e);
        }
        List<String> command = new ArrayList<>(List.of(tools.pgRestore().toString(), "--section=" + section,
                "--exit-on-error", "--use-list=" + list, "--dbname=" + target.conninfoWithoutPassword()));
        if (jobs > 1) {
            command.add("--jobs=" + jobs);
        }
        if (singleTransaction) {
            command.add("--single-transaction");
        }
        if (!keepOwnership) {
            command.add("--no-owner");
            command.add("--no-acl");
        }
        command.add(file.toString());
        ToolProcess.run(command, target, sessionSettings, cancel, EngineError.SCHEMA_RESTORE_FAILED,
                "pg_restore of " + section);
    }

    /**
     * The public schema exists in every new database (and its comment needs its owner on PostgreSQL 11-14), and
     * pgmigrate's own publications for online migrations must not travel to the target.
     */
    private static boolean isOwnPublicationOrPublicSchema(TocEntry e) {
        return e.rest().startsWith("SCHEMA - public ") || e.rest().startsWith("COMMENT - SCHEMA public ")
                || OWN_PUBLICATION.matcher(e.rest()).find();
    }
}
