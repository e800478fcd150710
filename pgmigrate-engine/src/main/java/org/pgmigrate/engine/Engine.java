package org.pgmigrate.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.catalog.Catalog;
import org.pgmigrate.engine.catalog.CatalogReader;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.objects.RoleCopy;
import org.pgmigrate.engine.pg.DatabaseIdentity;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.pg.SupportedVersions;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.schema.PgTools;
import org.pgmigrate.engine.schema.TargetDatabase;
import org.pgmigrate.engine.snapshot.DatabaseSessions;
import org.pgmigrate.engine.snapshot.ExportedSnapshot;
import org.pgmigrate.engine.verify.DatabaseVerifier;
import org.pgmigrate.engine.verify.SourceWrites;
import org.pgmigrate.engine.verify.VerificationReport;
import org.slf4j.MDC;

/**
 * The engine's entry point: copies databases from one PostgreSQL server to another. Knows nothing of HTTP, stores
 * or command lines; callers give it endpoints, options, a progress listener, a checkpoint store and a cancellation.
 *
 * <p>Thread-safe: several jobs may run at once on different threads. Every method blocks until done.
 */
public final class Engine {

    private final EngineSettings settings;

    public Engine(EngineSettings settings) {
        this.settings = settings;
    }

    /**
     * Migrates one database offline, end to end. Throws {@link EngineException}: a user error (unreachable server,
     * existing target database, older target...) before anything is written, a copy or verification failure after.
     */
    public DatabaseReport migrateDatabase(DatabaseJob job, ProgressListener listener, CheckpointStore checkpoints,
                                          Cancellation cancel) {
        String previous = MDC.get("db");
        MDC.put("db", job.source().database());
        try {
            return new DatabaseMigration(settings, job, listener, checkpoints, cancel).run();
        } finally {
            if (previous == null) {
                MDC.remove("db");
            } else {
                MDC.put("db", previous);
            }
        }
    }

    /**
     * Compares two databases the way a migration's verification does: every table's row count and hash (all rows,
     * or a deterministic {@code samplePercent} share of them), sequences, and the definitions of objects by kind and
     * name. The source is read in one snapshot. Read-only on both sides.
     */
    public VerificationReport verifyDatabase(PgEndpoint source, PgEndpoint target, int jobs, int samplePercent,
                                             Cancellation cancel) {
        return verifyDatabase(source, target, jobs, samplePercent, 0, cancel);
    }

    /**
     * {@link #verifyDatabase(PgEndpoint, PgEndpoint, int, int, Cancellation)}, and for each table that differs and
     * has a key, the keys of up to {@code showRows} rows that differ.
     */
    public VerificationReport verifyDatabase(PgEndpoint source, PgEndpoint target, int jobs, int samplePercent,
                                             int showRows, Cancellation cancel) {
        return verifyDatabase(source, target, jobs, samplePercent, showRows, ObjectSkips.NONE, cancel);
    }

    /**
     * {@link #verifyDatabase(PgEndpoint, PgEndpoint, int, int, int, Cancellation)} of a database that a migration
     * made leaving kinds of objects out ({@link DatabaseJob#skips}): those are not compared, and the report's warnings
     * say so.
     */
    public VerificationReport verifyDatabase(PgEndpoint source, PgEndpoint target, int jobs, int samplePercent,
                                             int showRows, ObjectSkips skips, Cancellation cancel) {
        String previous = MDC.get("db");
        MDC.put("db", source.database());
        try (Connection holder = settings.connector().open(source, Side.SOURCE, "verify");
             ExportedSnapshot snapshot = ExportedSnapshot.export(holder)) {
            try (Connection t = settings.connector().open(target, Side.TARGET, "verify")) {
                SupportedVersions.require(ServerVersion.of(holder), source.address(), ServerVersion.of(t),
                        target.address());
            }
            try (Statement s = holder.createStatement()) {
                s.execute("SET LOCAL search_path = ''");
            }
            Catalog catalog = CatalogReader.read(holder, source.database());
            DatabaseSessions sessions = new DatabaseSessions(settings.connector(), source, target, snapshot.name());
            return new DatabaseVerifier(sessions, jobs, samplePercent, showRows, cancel, skips)
                    .verify(source.database(), catalog.tables(), catalog.sequences());
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Verifying " + source.database() + " failed: " + e.getMessage(), e);
        } finally {
            if (previous == null) {
                MDC.remove("db");
            } else {
                MDC.put("db", previous);
            }
        }
    }

    /**
     * What the source database has written so far (each table's write counters, each sequence's position), to tell
     * later which tables and sequences were written after this moment. Read-only.
     */
    public SourceWrites sourceWrites(PgEndpoint source) {
        try (Connection c = settings.connector().open(source, Side.SOURCE, "verify")) {
            return SourceWrites.read(c);
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Reading the write statistics of " + source.database()
                    + " on the source failed: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses (with {@link EngineError#SAME_DATABASE}) a target database that is the source database, however the
     * two were named; read-only. {@link #migrateDatabase} checks this itself; callers that write something before it
     * (roles) check first.
     */
    public void refuseSameDatabase(PgEndpoint source, PgEndpoint target) {
        try (Connection s = settings.connector().open(source, Side.SOURCE, "inspect");
             Connection t = settings.connector().open(target.withDatabase("postgres"), Side.TARGET, "inspect")) {
            TargetDatabase.refuseTheSource(DatabaseIdentity.of(s), t, target.database(), source.address(),
                    target.address());
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Comparing the source and target databases failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Proves that the target database is the one an earlier run recorded ({@link DatabaseIdentity#persistentKey}, as
     * {@code migrateDatabase} records it under {@code db/<source db>/target-identity}), before a process that resumes
     * writes into it again (a resumed online apply). Throws {@link EngineError#TARGET_DATABASE_CHANGED} otherwise.
     */
    public void requireTargetDatabase(PgEndpoint target, String recordedIdentity) {
        try (Connection t = settings.connector().open(target.withDatabase("postgres"), Side.TARGET, "inspect")) {
            TargetDatabase.requireIdentity(t, target.database(), recordedIdentity, target.address());
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Checking the target database failed: " + e.getMessage(), e);
        }
    }

    /**
     * Drops the target database that an earlier attempt created, after proving that it still is that database (and
     * not the source); nothing to do when it is gone. For an online base copy that must start over under a new
     * snapshot.
     */
    public void dropEarlierAttempt(PgEndpoint source, PgEndpoint target, String recordedIdentity) {
        try (Connection s = settings.connector().open(source, Side.SOURCE, "inspect");
             Connection t = settings.connector().open(target.withDatabase("postgres"), Side.TARGET, "cleanup")) {
            if (!TargetDatabase.exists(t, target.database())) {
                return;
            }
            TargetDatabase.requireIdentity(t, target.database(), recordedIdentity, target.address());
            TargetDatabase.drop(t, target.database(), DatabaseIdentity.of(s));
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Dropping the earlier attempt's target database failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Copies roles and memberships with pg_dumpall --roles-only, read by a SQL lexer and filtered by both catalogs:
     * never superusers, predefined roles, the target's own user or a role already privileged on the target
     * ({@link RoleCopy}).
     */
    public RoleCopy.Result migrateRoles(PgEndpoint source, PgEndpoint target, Cancellation cancel) {
        try (Connection s = settings.connector().open(source.withDatabase("postgres"), Side.SOURCE, "roles");
             Connection t = settings.connector().open(target.withDatabase("postgres"), Side.TARGET, "roles")) {
            ServerVersion sourceVersion = ServerVersion.of(s);
            // Roles are written before any database: an unsupported server is refused before the first of them.
            ServerVersion targetVersion = ServerVersion.of(t);
            SupportedVersions.require(sourceVersion, source.address(), targetVersion, target.address());
            PgTools tools = PgTools.forMigration(sourceVersion, targetVersion, settings.toolSearchPath());
            return RoleCopy.copy(tools, source, s, t, cancel);
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Copying roles failed: " + e.getMessage(), e);
        }
    }

    /**
     * Which of {@code names} exist on the {@code target} server, in the order given: a caller can name every database
     * in its way at once, before anything is written. Read-only.
     */
    public List<String> existingTargetDatabases(PgEndpoint target, List<String> names) {
        try (Connection c = settings.connector().open(target.withDatabase("postgres"), Side.TARGET, "inspect");
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "SELECT datname FROM pg_catalog.pg_database WHERE datname = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            java.util.Set<String> found = new java.util.HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return names.stream().filter(found::contains).distinct().toList();
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Listing the target's databases failed: " + e.getMessage(), e);
        }
    }

    /**
     * The source's user databases: every database that accepts connections except templates and {@code postgres}
     * (name it explicitly to migrate it; the target has its own).
     */
    public List<String> listDatabases(PgEndpoint source) {
        try (Connection c = settings.connector().open(source.withDatabase(
                source.database() == null ? "postgres" : source.database()), Side.SOURCE, "inspect");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_catalog.pg_database WHERE datallowconn"
                     + " AND NOT datistemplate AND datname <> 'postgres' ORDER BY datname")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Listing the source's databases failed: " + e.getMessage(), e);
        }
    }
}
