package org.pgmigrate.service.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.pgmigrate.engine.cdc.SourceChangeLog;
import org.pgmigrate.engine.cdc.SourceChanges;
import org.pgmigrate.engine.cdc.SourceUndo;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.SealedSecrets;
import org.pgmigrate.service.server.EndpointResolver;
import org.pgmigrate.service.server.Endpoints;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.SourceCleanup;
import org.pgmigrate.service.store.SourceCleanupStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What online migrations changed on their sources and have not undone yet: the {@link SourceCleanup} records the
 * engine writes (through {@link #log}) before each change, and the retries that undo what a migration's own cleanup
 * could not (the source was down; the service stopped or was killed in between; the migration was deleted), every
 * {@link #interval()} and at every start, until it is done. Meanwhile the migration's database messages (while the
 * migration exists), the log and {@code /healthz} say which slot remains and the SQL to drop it by hand.
 *
 * <p>A database's record is retried once its database has finished (Succeeded, Failed, Canceled) or its migration
 * has ended or is gone, and never while a replication of this process still uses it. The server's record (settings
 * changed by "setup replication") waits until no database record of its migration is left, since whether
 * {@code wal_level} may go back depends on the logical slots that remain; it is forgotten, not undone, when a
 * database is cut over ({@link #keepSettings}). A migration's own cleanup and a retry of the same record never run at
 * once ({@link #locked}).
 *
 * <p>Thread-safe.
 */
final class SourceCleanups {

    private static final Logger LOG = LoggerFactory.getLogger(SourceCleanups.class);
    /** Starts the sentence about a database's source cleanup in its message (replaced on each retry). */
    static final String CLEANUP = "Source cleanup: ";
    /** Starts the sentence about the source server's settings in each database's message. */
    static final String SETTINGS = "Source settings: ";

    private final MigrationStore migrations;
    private final SourceCleanupStore records;
    private final SealedSecrets sealer;
    private final EndpointResolver resolver;
    private final PgConnector connector;
    private final Clock clock;
    private final Duration interval;
    private final Map<String, ReentrantLock> locks;
    private final Map<String, String> lastProblem;

    SourceCleanups(MigrationStore migrations, SourceCleanupStore records, SealedSecrets sealer,
                   EndpointResolver resolver, PgConnector connector, Clock clock, Duration interval) {
        this(migrations, records, sealer, resolver, connector, clock, interval, new ConcurrentHashMap<>(),
                new ConcurrentHashMap<>());
    }

    private SourceCleanups(MigrationStore migrations, SourceCleanupStore records, SealedSecrets sealer,
                           EndpointResolver resolver, PgConnector connector, Clock clock, Duration interval,
                           Map<String, ReentrantLock> locks, Map<String, String> lastProblem) {
        this.locks = locks;
        this.lastProblem = lastProblem;
        this.migrations = migrations;
        this.records = records;
        this.sealer = sealer;
        this.resolver = resolver;
        this.connector = connector;
        this.clock = clock;
        this.interval = interval;
    }

    /**
     * The same records and locks as one run sees them: its writes to its own migration's records and state carry
     * its lease ({@link FencedStore}).
     */
    SourceCleanups fencedBy(FencedStore store) {
        return new SourceCleanups(store, new FencedSourceCleanups(records, store), sealer, resolver, connector, clock,
                interval, locks, lastProblem);
    }

    /** How often records are retried. */
    Duration interval() {
        return interval;
    }

    /**
     * Where the engine records what it changes on {@code source} for {@code database} of {@code m}
     * ({@link SourceCleanup#SERVER} for the server's settings).
     */
    SourceChangeLog log(Migration m, String database, PgEndpoint source) {
        return new StoredSourceChanges(records, sealer, m.migrationId(), m.key().id(), database, source, clock);
    }

    /** Runs {@code work} holding the lock of one record, so that a retry and the migration's own cleanup never overlap. */
    <T> T locked(String migrationId, String database, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(migrationId + "\0" + database, k -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** Notes on the record of {@code database} (if something is left) what an undo of the migration's own left. */
    void attempted(String migrationId, String database, SourceUndo.Report report) {
        if (!report.complete()) {
            records.find(migrationId, database).ifPresent(r -> records.put(r.attempted(clock.instant(),
                    report.describe())));
        }
    }

    /** The sentence about what {@code database} of the migration still has to undo on the source, if anything. */
    Optional<String> pendingSentence(String migrationId, String database) {
        return records.find(migrationId, database).map(r -> CLEANUP + (r.problem() != null ? r.problem()
                : "what pgmigrate changed on the source is not undone yet.") + " pgmigrate retries every "
                + interval.toSeconds() + " s and at every service start until it is done.");
    }

    /**
     * A database was cut over: the server settings pgmigrate changed for the migration stay (undoing them is for a
     * migration that ends without a cutover). Returns a sentence for the message, if there were any.
     */
    Optional<String> keepSettings(String migrationId) {
        Optional<SourceCleanup> settings = records.find(migrationId, SourceCleanup.SERVER);
        if (settings.isEmpty()) {
            return Optional.empty();
        }
        records.delete(migrationId, SourceCleanup.SERVER);
        List<String> undo = SourceChanges.decode(settings.get().changes()).settings().stream()
                .map(s -> s.previous() == null ? "ALTER SYSTEM RESET " + s.name() + ";"
                        : "ALTER SYSTEM SET " + s.name() + " = '" + s.previous().replace("'", "''") + "';").toList();
        String sentence = SETTINGS + "the settings pgmigrate changed with ALTER SYSTEM stay, since the source was cut"
                + " over; if the source no longer needs them, run " + String.join(" ", undo) + " and restart it.";
        LOG.info("{}", sentence);
        return Optional.of(sentence);
    }

    /**
     * One pass over every record: undoes what is due (see the class comment), deletes what is done, and records
     * what is not with the reason. {@code liveHere} tells whether this process still replicates a migration's database
     * (for {@link SourceCleanup#SERVER}: whether a run of that migration is still going here).
     */
    void retry(BiPredicate<String, String> liveHere) {
        List<SourceCleanup> all;
        try {
            all = records.list();
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the pending source cleanups: {}", e.toString());
            return;
        }
        for (SourceCleanup r : all) {
            try {
                retry(r, all, liveHere);
            } catch (RuntimeException e) {
                LOG.warn("Source cleanup of migration {} database '{}' failed unexpectedly; retrying in {} s: {}",
                        r.migrationName(), r.database(), interval.toSeconds(), e.toString());
            }
        }
    }

    private void retry(SourceCleanup r, List<SourceCleanup> all, BiPredicate<String, String> liveHere) {
        Optional<Migration> m = migrations.findById(r.migrationId());
        if (!due(r, m, all, liveHere)) {
            return;
        }
        if (r.serverLevel() && m.isPresent() && m.get().dbDetails().values().stream()
                .anyMatch(d -> d.migrationState() == DatabaseMigrationState.SUCCEEDED)) {
            keepSettings(r.migrationId()).ifPresent(s -> withSentence(r, s));
            return;
        }
        PgEndpoint source = endpoint(r, m);
        locked(r.migrationId(), r.database(), () -> {
            Optional<SourceCleanup> current = records.find(r.migrationId(), r.database());
            if (current.isEmpty()) {
                return null; // done meanwhile
            }
            SourceChanges changes = SourceChanges.decode(current.get().changes());
            SourceUndo.Report report = new SourceUndo(source).undo(connector, changes);
            String sentence = sentence(r.serverLevel() ? SETTINGS : CLEANUP, report);
            if (report.complete()) {
                records.delete(r.migrationId(), r.database());
                lastProblem.remove(key(r));
                LOG.info("Source cleanup of migration {}{} done: {}", r.migrationName(), where(r), report.describe());
            } else {
                records.put(current.get().withChanges(report.remaining().encode()).attempted(clock.instant(),
                        report.describe()));
                String problem = report.describe();
                if (!problem.equals(lastProblem.put(key(r), problem))) {
                    LOG.warn("Source cleanup of migration {}{}{} is not done; retrying every {} s: {}",
                            r.migrationName(), where(r), m.isEmpty() ? " (the migration was deleted)" : "",
                            interval.toSeconds(), problem);
                }
            }
            if (report.eventful()) {
                withSentence(r, sentence);
            }
            return null;
        });
    }

    /** Whether {@code r} may be undone now. */
    private static boolean due(SourceCleanup r, Optional<Migration> m, List<SourceCleanup> all,
                               BiPredicate<String, String> liveHere) {
        if (r.serverLevel()) {
            boolean databasesLeft = all.stream().anyMatch(o -> o.migrationId().equals(r.migrationId())
                    && !o.serverLevel());
            return !databasesLeft && (m.isEmpty() || !m.get().isActive() && !liveHere.test(r.migrationId(), r.database()));
        }
        if (liveHere.test(r.migrationId(), r.database())) {
            return false;
        }
        if (m.isEmpty() || !m.get().isActive()) {
            return true;
        }
        DatabaseDetails d = m.get().dbDetails().get(r.database());
        return d != null && d.migrationState().isFinished();
    }

    /** The migration's current endpoints while it exists (a password changed since counts), else the record's. */
    private PgEndpoint endpoint(SourceCleanup r, Optional<Migration> m) {
        if (m.isPresent()) {
            try {
                Endpoints e = resolver.resolve(m.get().key(), m.get().spec(),
                        sealer.open(m.get().sealedSecrets(), m.get().migrationId()));
                return r.serverLevel() ? e.source().withDatabase(null) : e.source(r.database());
            } catch (ServiceException | IllegalStateException e) {
                LOG.debug("Migration {}: using the source recorded with its cleanup ({})", r.migrationName(), e.getMessage());
            }
        }
        PgEndpoint recorded = PgEndpoint.parse(r.source());
        String password = r.sealedPassword() == null ? null : sealer.openValue(r.sealedPassword(), r.sealOwner());
        return recorded.withCredentials(recorded.user(), password).withDatabase(r.serverLevel() ? null : r.database());
    }

    /** Puts {@code sentence} into the messages it concerns, while the migration exists. */
    private void withSentence(SourceCleanup r, String sentence) {
        String marker = r.serverLevel() ? SETTINGS : CLEANUP;
        migrations.update(r.migrationId(), m -> {
            Migration x = m;
            for (String db : m.dbDetails().keySet()) {
                if (r.serverLevel() || db.equals(r.database())) {
                    x = x.withDatabase(db, d -> d.withState(d.migrationState(), d.migrationOperation(),
                            replaced(d.message(), marker, sentence)));
                }
            }
            return x;
        });
    }

    /**
     * The sentence a message carries about an undo: what was undone and what was not, and whether pgmigrate retries;
     * empty when there was nothing to undo.
     */
    Optional<String> sentence(SourceUndo.Report report) {
        return report.eventful() ? Optional.of(sentence(CLEANUP, report)) : Optional.empty();
    }

    private String sentence(String marker, SourceUndo.Report report) {
        return marker + report.describe() + (report.complete() ? "" : " pgmigrate retries every "
                + interval.toSeconds() + " s and at every service start until it is done.");
    }

    /** {@code message} with its sentence starting with {@code marker} (if any) replaced by {@code sentence}. */
    static String replaced(String message, String marker, String sentence) {
        if (message == null || message.isEmpty()) {
            return sentence;
        }
        int at = message.startsWith(marker) ? 0 : message.indexOf(" " + marker);
        String base = at < 0 ? message : message.substring(0, at);
        // A sentence about the other kind may follow the one replaced: keep it.
        String rest = "";
        if (at >= 0) {
            String other = marker.equals(CLEANUP) ? SETTINGS : CLEANUP;
            int next = message.indexOf(" " + other, at + 1);
            rest = next < 0 ? "" : message.substring(next);
        }
        return (base.isEmpty() ? "" : base + " ") + sentence + rest;
    }

    private static String where(SourceCleanup r) {
        return r.serverLevel() ? " (source server settings)" : " database " + r.database();
    }

    private static String key(SourceCleanup r) {
        return r.migrationId() + "\0" + r.database();
    }
}
