package org.pgmigrate.engine;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pgmigrate.engine.catalog.Catalog;
import org.pgmigrate.engine.catalog.CatalogReader;
import org.pgmigrate.engine.catalog.Index;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.catalog.TableSelection;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.copy.DataCopy;
import org.pgmigrate.engine.files.OwnerOnly;
import org.pgmigrate.engine.index.IndexBuilds;
import org.pgmigrate.engine.index.LateStatistics;
import org.pgmigrate.engine.objects.LargeObjectCopy;
import org.pgmigrate.engine.objects.SequenceValues;
import org.pgmigrate.engine.pg.DatabaseIdentity;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.pg.SupportedVersions;
import org.pgmigrate.engine.pg.WalFlush;
import org.pgmigrate.engine.progress.ByteUnits;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.engine.schema.PgTools;
import org.pgmigrate.engine.schema.SchemaArchive;
import org.pgmigrate.engine.schema.SchemaDumpAhead;
import org.pgmigrate.engine.schema.TargetDatabase;
import org.pgmigrate.engine.snapshot.DatabaseSessions;
import org.pgmigrate.engine.snapshot.ExportedSnapshot;
import org.pgmigrate.engine.snapshot.SnapshotImport;
import org.pgmigrate.engine.verify.DatabaseVerifier;
import org.pgmigrate.engine.verify.SourceDigests;
import org.pgmigrate.engine.verify.VerificationReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the phases of one database's migration, in order, on one thread: inspect, snapshot, create database,
 * pre-data, copy with indexes, post-data, sequences, large objects, verify. Each phase is checkpointed, so a resumed
 * run skips what is done. The snapshot (exported here, or the caller's) stays held until verification ends.
 */
final class DatabaseMigration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseMigration.class);
    /** How long the snapshot holder waits for a table another session locks exclusively. */
    private static final String LOCK_TIMEOUT = "60s";

    private final EngineSettings settings;
    private final DatabaseJob job;
    private final ProgressListener listener;
    private final CheckpointStore checkpoints;
    private final Cancellation cancel;
    private final String db;
    private final Map<Phase, Duration> phases = new LinkedHashMap<>();
    private final List<String> notices = new ArrayList<>();
    /** The source database, by what it is: no step may write to, drop or truncate a target that proves to be it. */
    private DatabaseIdentity sourceIdentity;

    DatabaseMigration(EngineSettings settings, DatabaseJob job, ProgressListener listener, CheckpointStore checkpoints,
                      Cancellation cancel) {
        this.settings = settings;
        this.job = job;
        this.listener = listener;
        this.checkpoints = checkpoints;
        this.cancel = cancel;
        this.db = job.source().database();
    }

    DatabaseReport run() {
        PgConnector connector = settings.connector();
        Connection holder = connector.open(job.source(), Side.SOURCE, "snapshot");
        ExportedSnapshot exported = null;
        try {
            Runnable unHolder = cancel.cancelStatementsOn(holder);
            try {
                long t = phaseStart(Phase.INSPECT);
                ServerVersion sourceVersion = ServerVersion.of(holder);
                sourceIdentity = DatabaseIdentity.of(holder);
                ServerVersion targetVersion = checkTarget(connector, sourceVersion);
                phaseEnd(Phase.INSPECT, t);

                t = phaseStart(Phase.SNAPSHOT);
                String snapshot;
                if (job.snapshotName() == null) {
                    exported = ExportedSnapshot.export(holder);
                    snapshot = exported.name();
                } else {
                    SnapshotImport.begin(holder, job.snapshotName());
                    snapshot = job.snapshotName();
                }
                try (Statement s = holder.createStatement()) {
                    s.execute("SET LOCAL search_path = ''");
                }
                // Filters are checked in the snapshot, before anything is written: a wrong name stops here.
                TableSelection selection = TableSelection.resolve(holder, job.filter(), db);
                requireSameFilters();
                Catalog whole = CatalogReader.read(holder, db);
                Catalog catalog = whole.select(selection);
                lockTables(holder, catalog.tables());
                phaseEnd(Phase.SNAPSHOT, t);
                log.info("Database {}: {} tables ({}), {} indexes built by pgmigrate, {} sequences, {} large objects",
                        db, catalog.tables().size(), ByteUnits.format(catalog.totalBytes()), catalog.indexes().size(),
                        catalog.sequences().size(), catalog.largeObjects());
                if (!selection.everything()) {
                    notice("Filters (" + job.filter().describe() + "): the rows of " + catalog.tables().size() + " of the "
                            + whole.tables().size() + " tables of the source database are copied.");
                }

                DatabaseSessions sessions = new DatabaseSessions(connector, job.source(), job.target(), snapshot);
                PgTools tools = PgTools.forMigration(sourceVersion, targetVersion, settings.toolSearchPath());
                SchemaArchive archive;
                boolean fresh;
                Path schemaFile = workDir().resolve("schema.dump");
                try (SchemaDumpAhead dump = SchemaDumpAhead.start("pgmigrate-pg_dump-" + db,
                        () -> dumpSchema(tools, snapshot, selection, schemaFile))) {
                    fresh = createDatabase(sessions, catalog);
                    archive = restorePreData(dump, fresh, sessions);
                }
                // Each table is verified as soon as its rows are in, while its indexes build and others still copy.
                SourceDigests digests = job.verify() ? new SourceDigests() : null;
                try (DatabaseVerifier verifier = new DatabaseVerifier(sessions, job.copy().tableJobs(), cancel, digests,
                        selection, job.skips())) {
                    if (job.verify()) {
                        verifier.start(db, job.copy().tableJobs());
                    }
                    LateStatistics lateStatistics = job.analyze()
                            ? LateStatistics.plan(holder, catalog.tables(), targetVersion) : LateStatistics.none();
                    List<TableStats> tables = copyData(sessions, catalog, holder, sourceVersion, targetVersion, digests,
                            lateStatistics, job.verify() ? verifier::submit : table -> { });
                    restorePostData(archive, catalog, holder, sessions, lateStatistics);
                    List<SequenceValues.Position> sequences = copySequences(sessions, catalog, holder);
                    long[] largeObjects = copyLargeObjects(sessions, catalog);
                    VerificationReport verification = job.verify() ? verify(verifier, catalog, sequences) : null;
                    return new DatabaseReport(db, job.target().database(), tables, phases, sequences.size(),
                            largeObjects[0], largeObjects[1], verification, notices);
                }
            } finally {
                unHolder.run();
            }
        } catch (SQLException e) {
            if (cancel.isCanceled()) {
                throw new EngineException(EngineError.CANCELED, "The migration of " + db + " was canceled.", e);
            }
            throw new EngineException(EngineError.INTERNAL, "Migration of database " + db + " failed: " + e.getMessage(), e);
        } finally {
            if (exported != null) {
                exported.close();
            } else {
                closeQuietly(holder);
            }
        }
    }

    /**
     * A resumed run must take the same schemas and tables as the run it continues: other filters would leave the
     * target with tables of one and rows of the other. The first run records its filters.
     */
    private void requireSameFilters() {
        String key = "db/" + db + "/filters";
        String now = job.filter().describe();
        Optional<String> recorded = checkpoints.get(key);
        if (recorded.isPresent() && !recorded.get().equals(now)) {
            throw new EngineException(EngineError.INVALID_INPUT, "The interrupted run of database " + db + " used other"
                    + " filters (" + recorded.get() + ") than this one (" + now + "). Resume with the same filters, or"
                    + " start over (clone --drop-if-exists).");
        }
        if (recorded.isEmpty()) {
            checkpoints.put(key, now);
        }
    }

    private ServerVersion checkTarget(PgConnector connector, ServerVersion source) throws SQLException {
        try (Connection maintenance = connector.open(job.target().withDatabase("postgres"), Side.TARGET, "inspect")) {
            ServerVersion target = ServerVersion.of(maintenance);
            // Before anything is written: the target database does not exist yet, and no catalog query has run.
            SupportedVersions.require(source, job.source().address(), target, job.target().address());
            refuseTheSourceAsTarget(maintenance);
            if (target.major() < source.major()) {
                throw new EngineException(EngineError.TARGET_OLDER_THAN_SOURCE, "The target " + job.target().address()
                        + " runs PostgreSQL " + target + ", older than the source's " + source + ". Migrating to an "
                        + "older major version is not supported: use a target running PostgreSQL " + source.majorName()
                        + " or newer.");
            }
            return target;
        }
    }

    /**
     * Stops before anything is written when the target database is the source database, however it was named
     * ({@code localhost} and {@code 127.0.0.1}, an alias, a second registered server): dropping or loading it would
     * destroy the source. Another database of the same server is a valid target.
     */
    private void refuseTheSourceAsTarget(Connection targetMaintenance) throws SQLException {
        TargetDatabase.refuseTheSource(sourceIdentity, targetMaintenance, job.target().database(),
                job.source().address(), job.target().address());
    }

    /**
     * Blocks DDL on the copied tables for the whole migration (as pg_dump does), so every worker sees the columns the
     * catalog read. A table locked exclusively by someone else fails the migration after {@link #LOCK_TIMEOUT}.
     */
    private void lockTables(Connection holder, List<Table> tables) throws SQLException {
        try (Statement s = holder.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
            for (int from = 0; from < tables.size(); from += 500) {
                StringBuilder sql = new StringBuilder("LOCK TABLE ");
                List<Table> batch = tables.subList(from, Math.min(tables.size(), from + 500));
                for (int i = 0; i < batch.size(); i++) {
                    sql.append(i == 0 ? "" : ", ").append("ONLY ").append(batch.get(i).qualifiedName());
                }
                s.execute(sql.append(" IN ACCESS SHARE MODE").toString());
            }
            s.execute("SET LOCAL lock_timeout = 0");
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) {
                throw new EngineException(EngineError.COPY_FAILED, "A table of database " + db + " stayed locked by "
                        + "another session for " + LOCK_TIMEOUT + " (" + e.getMessage() + "). Let that session finish "
                        + "(see pg_locks), then retry.", e);
            }
            throw e;
        }
    }

    /** Creates the target database; returns true when this run created it (so a failed pre-data may drop it). */
    private boolean createDatabase(DatabaseSessions sessions, Catalog catalog) throws SQLException {
        long t = phaseStart(Phase.CREATE_DATABASE);
        String name = job.target().database();
        String key = "db/" + db + "/created";
        try (Connection maintenance = sessions.targetMaintenance("create-database")) {
            boolean exists = TargetDatabase.exists(maintenance, name);
            String identityKey = "db/" + db + "/target-identity";
            if (checkpoints.isDone(key)) {
                if (!exists) {
                    throw new EngineException(EngineError.INVALID_INPUT, "An earlier run created database '" + name
                            + "' on the target, but it is gone now. Start over without --resume.");
                }
                Optional<String> recorded = checkpoints.get(identityKey);
                if (!checkpoints.isDone(preDataKey())) {
                    redoInterruptedSchema(maintenance, name, recorded);
                    exists = false;
                } else {
                    if (recorded.isPresent()) {
                        TargetDatabase.requireIdentity(maintenance, name, recorded.get(), job.target().address());
                    } else {
                        // A journal written before identities were recorded: from now on this database is the one.
                        checkpoints.put(identityKey, TargetDatabase.identity(maintenance, name).persistentKey());
                    }
                    int leftovers = TargetDatabase.endLeftoverSessions(maintenance, name);
                    if (leftovers > 0) {
                        notice("Ended " + leftovers + " session" + (leftovers == 1 ? "" : "s") + " that the"
                                + " interrupted run left working on database " + name + " (an index build, ANALYZE or"
                                + " pg_restore that its stop did not reach).");
                    }
                    notice("Resuming into the existing target database " + name + ". A resumed offline copy is"
                            + " consistent only if the source did not change since the first run.");
                    phaseEnd(Phase.CREATE_DATABASE, t);
                    return false;
                }
            }
            if (exists) {
                if (!job.dropIfExists()) {
                    // Each caller says how to allow the drop in its own terms (clone's flag, the service's property).
                    throw new EngineException(EngineError.TARGET_DATABASE_EXISTS, "Database '" + name + "' already exists"
                            + " on the target " + job.target().address() + ".");
                }
                log.info("Dropping the existing target database {}", name);
                TargetDatabase.drop(maintenance, name, sourceIdentity);
            }
            List<String> refused = TargetDatabase.create(maintenance, name, catalog.database(), job.target().address());
            for (String setting : refused) {
                notice("The target refused the database setting " + setting + "; it was skipped.");
            }
            // Recorded before the step is marked done, so that a resumed run always has it to compare with.
            checkpoints.put(identityKey, TargetDatabase.identity(maintenance, name).persistentKey());
            checkpoints.markDone(key);
        }
        phaseEnd(Phase.CREATE_DATABASE, t);
        return true;
    }

    /**
     * An earlier run created the target database and was stopped (kill -9 of clone or of the service, a power cut)
     * while pg_restore replayed pre-data: some types, functions and tables exist, and pg_restore cannot replay the
     * section into them ("already exists"). Nothing else can be in it yet (the copy starts after pre-data), so the
     * database is dropped and created again, but only once it is proved to be the one that run created.
     */
    private void redoInterruptedSchema(Connection maintenance, String name, Optional<String> recorded)
            throws SQLException {
        if (recorded.isEmpty()) {
            throw new EngineException(EngineError.TARGET_DATABASE_CHANGED, "An earlier run stopped while restoring the"
                    + " schema into database '" + name + "' on the target " + job.target().address() + ", but its"
                    + " checkpoints do not record which database it created, so pgmigrate cannot prove that '" + name
                    + "' is its own and left it untouched. Drop it yourself and start the migration over.");
        }
        TargetDatabase.requireIdentity(maintenance, name, recorded.get(), job.target().address());
        notice("An earlier run stopped while restoring the schema into " + name + ": the half-restored database it"
                + " created is dropped and created again.");
        // DROP ... WITH (FORCE) also ends the sessions of that run's pg_restore, which a kill -9 leaves running.
        TargetDatabase.drop(maintenance, name, sourceIdentity);
        checkpoints.put("db/" + db + "/created", "dropped to redo an interrupted schema restore");
    }

    private String preDataKey() {
        return "db/" + db + "/pre-data";
    }

    /** pg_dump of the schema, in the snapshot; runs on a thread of its own ({@link SchemaDumpAhead}). */
    private SchemaArchive dumpSchema(PgTools tools, String snapshot, TableSelection selection, Path file) {
        ObjectSkips skips = job.skips();
        return SchemaArchive.dump(tools, job.source(), snapshot, file, job.keepOwnership(),
                selection.pgDumpArguments(), cancel).skipping(skips.largeObjects(), skips.extensions());
    }

    private SchemaArchive restorePreData(SchemaDumpAhead dump, boolean fresh, DatabaseSessions sessions)
            throws SQLException {
        long t = phaseStart(Phase.PRE_DATA);
        Path dir = workDir();
        ObjectSkips skips = job.skips();
        SchemaArchive archive;
        try {
            archive = dump.archive();
        } catch (EngineException failed) {
            dropCreated(fresh, sessions, failed, "dropped after a failed schema dump");
            throw failed;
        }
        String key = preDataKey();
        if (!checkpoints.isDone(key)) {
            List<String> skippedExtensions = archive.skippedExtensions();
            if (!skippedExtensions.isEmpty()) {
                notice("The source's extensions " + String.join(", ", skippedExtensions) + " are not created on the"
                        + " target: " + skips.extensionsBy() + " is on.");
            }
            try {
                archive.restorePreData(job.target(), dir, cancel);
                // pg_restore committed without waiting for WAL flushes; pre-data is done once they are durable.
                try (Connection target = sessions.target("pre-data")) {
                    WalFlush.flush(target);
                }
            } catch (EngineException failed) {
                EngineException e = withMissingExtensions(failed, skippedExtensions, sessions);
                dropCreated(fresh, sessions, e, "dropped after a failed schema restore");
                throw e;
            }
            checkpoints.markDone(key);
        }
        phaseEnd(Phase.PRE_DATA, t);
        return archive;
    }

    /** Nothing half-written: the database this run created (if {@code fresh}) goes away with the failed schema. */
    private void dropCreated(boolean fresh, DatabaseSessions sessions, EngineException failure, String why) {
        if (!fresh) {
            return;
        }
        try (Connection maintenance = sessions.targetMaintenance("cleanup")) {
            TargetDatabase.drop(maintenance, job.target().database(), sourceIdentity);
            checkpoints.put("db/" + db + "/created", why);
        } catch (SQLException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /**
     * A failed pre-data restore with extensions skipped most likely failed on an object that uses one of them (a
     * column of type citext, an index with a pg_trgm operator class): the failure then names the skipped extensions
     * the target database lacks, and the setting that skipped them.
     */
    private EngineException withMissingExtensions(EngineException failed, List<String> skipped, DatabaseSessions sessions) {
        if (skipped.isEmpty()) {
            return failed;
        }
        List<String> missing = new ArrayList<>(skipped);
        try (Connection target = sessions.target("extensions");
             Statement s = target.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT extname FROM pg_catalog.pg_extension")) {
            while (rs.next()) {
                missing.remove(rs.getString(1));
            }
        } catch (SQLException | RuntimeException e) {
            failed.addSuppressed(e);
            return failed;
        }
        if (missing.isEmpty()) {
            return failed;
        }
        String setting = job.skips().extensionsBy();
        String them = missing.size() == 1 ? "it" : "them";
        return new EngineException(failed.error(), failed.getMessage() + "\nThe target database lacks the source's"
                + " extension" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + ", not created"
                + " because " + setting + " is on, and objects that use " + them + " cannot be restored without " + them
                + ". Turn " + setting + " off so that the migration creates " + them + ", or drop what uses " + them
                + " on the source.", failed.getCause());
    }

    private List<TableStats> copyData(DatabaseSessions sessions, Catalog catalog, Connection holder,
                                      ServerVersion sourceVersion, ServerVersion targetVersion, SourceDigests digests,
                                      LateStatistics lateStatistics, java.util.function.Consumer<Table> onTableLoaded) {
        long t = phaseStart(Phase.COPY);
        Map<Long, List<Index>> indexes = catalog.indexesByTable();
        List<TableStats> stats;
        try (IndexBuilds builds = new IndexBuilds(sessions, job.copy().indexJobs(), job.copy().maintenanceWorkMem(),
                job.analyze(), lateStatistics::analyzedWithParent, db, listener, checkpoints, cancel)) {
            builds.start();
            new DataCopy(sessions, job.copy(), sourceVersion, targetVersion, db, catalog.database().encoding(), listener,
                    checkpoints, cancel, digests)
                    .run(catalog.tables(), holder, (table, copied) -> {
                        builds.submit(table, indexes.getOrDefault(table.oid(), List.of()), copied);
                        onTableLoaded.accept(table);
                    });
            phaseEnd(Phase.COPY, t);
            long i = phaseStart(Phase.INDEXES);
            stats = builds.finish();
            phaseEnd(Phase.INDEXES, i);
        }
        return stats;
    }

    private void restorePostData(SchemaArchive archive, Catalog catalog, Connection holder, DatabaseSessions sessions,
                                 LateStatistics lateStatistics) throws SQLException {
        long t = phaseStart(Phase.POST_DATA);
        String key = "db/" + db + "/post-data";
        if (!checkpoints.isDone(key)) {
            Set<Long> builtByEngine = new HashSet<>();
            for (Index index : catalog.indexes()) {
                builtByEngine.add(index.oid());
                if (index.constraint() != null) {
                    builtByEngine.add(index.constraint().oid());
                }
            }
            SchemaArchive.PostDataRestore restored;
            try (Connection target = sessions.target("post-data")) {
                restored = archive.restorePostData(job.target(), workDir(), builtByEngine, job.copy().indexJobs(),
                        holder, target, cancel);
                if (job.analyze()) {
                    lateStatistics.gather(target);
                }
            }
            if (restored.endedSessions() > 0 || restored.alreadyThere() > 0) {
                notice("The post-data restore of " + job.target().database() + " resumed an interrupted one: "
                        + restored.alreadyThere() + " entries it had restored were kept" + (restored.endedSessions() > 0
                        ? ", and " + restored.endedSessions() + " sessions of its pg_restore, still running, were ended"
                        : "") + ".");
            }
            checkpoints.markDone(key);
        }
        phaseEnd(Phase.POST_DATA, t);
    }

    /** Sets every sequence on the target; returns the positions written (sequences are read live, not in the snapshot). */
    private List<SequenceValues.Position> copySequences(DatabaseSessions sessions, Catalog catalog, Connection holder)
            throws SQLException {
        long t = phaseStart(Phase.SEQUENCES);
        List<SequenceValues.Position> positions = SequenceValues.read(holder, catalog.sequences());
        try (Connection target = sessions.target("sequences")) {
            SequenceValues.write(target, positions);
        }
        phaseEnd(Phase.SEQUENCES, t);
        return positions;
    }

    private long[] copyLargeObjects(DatabaseSessions sessions, Catalog catalog) throws SQLException {
        if (catalog.largeObjects() == 0) {
            return new long[] {0, 0};
        }
        if (job.skips().largeObjects()) {
            notice("The source's " + catalog.largeObjects() + " large object" + (catalog.largeObjects() == 1 ? " is" : "s"
                    + " are") + " not copied: " + job.skips().largeObjectsBy() + " is on.");
            return new long[] {0, 0};
        }
        long t = phaseStart(Phase.LARGE_OBJECTS);
        String key = "db/" + db + "/large-objects";
        long[] copied = {catalog.largeObjects(), 0};
        if (!checkpoints.isDone(key)) {
            try (Connection source = sessions.sourceInSnapshot("large-objects");
                 Connection target = sessions.target("large-objects")) {
                Runnable unSource = cancel.cancelStatementsOn(source);
                Runnable unTarget = cancel.cancelStatementsOn(target);
                try {
                    copied = new LargeObjectCopy(source, target, cancel).copyAll();
                } finally {
                    unSource.run();
                    unTarget.run();
                }
            }
            checkpoints.markDone(key);
        }
        phaseEnd(Phase.LARGE_OBJECTS, t);
        return copied;
    }

    /** Waits for the table verifications still running, then compares sequences and the definitions of objects. */
    private VerificationReport verify(DatabaseVerifier verifier, Catalog catalog, List<SequenceValues.Position> sequences) {
        long t = phaseStart(Phase.VERIFY);
        VerificationReport report = verifier.finish(db, catalog.sequences(), sequences);
        phaseEnd(Phase.VERIFY, t);
        listener.verified(db, report);
        if (!report.equal()) {
            throw new EngineException(EngineError.VERIFICATION_MISMATCH, report.describeMismatches());
        }
        log.info("Verified database {}: {} tables and {} sequences are equal on both sides", db,
                report.tables().size(), catalog.sequences().size());
        return report;
    }

    private Path workDir() {
        return OwnerOnly.directory(job.workDir());
    }

    private long phaseStart(Phase phase) {
        cancel.throwIfCanceled();
        listener.phaseStarted(db, phase);
        return System.nanoTime();
    }

    private void phaseEnd(Phase phase, long started) {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        phases.put(phase, took);
        listener.phaseCompleted(db, phase, took);
    }

    /** Logged at INFO only: the listener presents it (clone prints it, the service logs it), once. */
    private void notice(String message) {
        log.info("{}", message);
        notices.add(message);
        listener.notice(db, message);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing after a failure; the original error is what matters
        }
    }
}
