package org.pgmigrate.engine;

import java.nio.file.Path;
import java.util.Objects;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;

/**
 * One database to migrate.
 *
 * @param source         the source server and database
 * @param target         the target server and the database to create there
 * @param dropIfExists   drop and recreate the target database if it exists (else the job fails)
 * @param keepOwnership  keep owners and GRANTs (roles were migrated first); else the target user owns everything
 * @param verify         compare counts and hashes of every table at the end, and fail on a difference
 * @param analyze        VACUUM (ANALYZE) each table once its indexes are built
 * @param workDir        where the schema archive and restore lists go (kept for diagnosis)
 * @param snapshotName   a snapshot exported by the caller and held open for the whole job (online mode: the
 *                       replication slot's); null to export one
 * @param filter         the schemas and tables to migrate ({@link TableFilter#NONE}: all)
 * @param skips          kinds of objects left out on request ({@link ObjectSkips#NONE}: none)
 */
public record DatabaseJob(PgEndpoint source, PgEndpoint target, CopyOptions copy, boolean dropIfExists,
                          boolean keepOwnership, boolean verify, boolean analyze, Path workDir, String snapshotName,
                          TableFilter filter, ObjectSkips skips) {

    public DatabaseJob {
        Objects.requireNonNull(source.database(), "source database");
        Objects.requireNonNull(target.database(), "target database");
        Objects.requireNonNull(copy, "copy options");
        Objects.requireNonNull(workDir, "workDir");
        filter = filter == null ? TableFilter.NONE : filter;
        skips = skips == null ? ObjectSkips.NONE : skips;
    }

    /** A job that leaves nothing out on request. */
    public DatabaseJob(PgEndpoint source, PgEndpoint target, CopyOptions copy, boolean dropIfExists,
                       boolean keepOwnership, boolean verify, boolean analyze, Path workDir, String snapshotName,
                       TableFilter filter) {
        this(source, target, copy, dropIfExists, keepOwnership, verify, analyze, workDir, snapshotName, filter,
                ObjectSkips.NONE);
    }

    /** A job without filters. */
    public DatabaseJob(PgEndpoint source, PgEndpoint target, CopyOptions copy, boolean dropIfExists,
                       boolean keepOwnership, boolean verify, boolean analyze, Path workDir, String snapshotName) {
        this(source, target, copy, dropIfExists, keepOwnership, verify, analyze, workDir, snapshotName,
                TableFilter.NONE);
    }

    public static DatabaseJob of(PgEndpoint source, PgEndpoint target, Path workDir) {
        return new DatabaseJob(source, target, CopyOptions.defaults(), false, false, true, true, workDir, null);
    }

    public DatabaseJob withCopy(CopyOptions options) {
        return new DatabaseJob(source, target, options, dropIfExists, keepOwnership, verify, analyze, workDir, snapshotName, filter, skips);
    }

    public DatabaseJob withDropIfExists(boolean drop) {
        return new DatabaseJob(source, target, copy, drop, keepOwnership, verify, analyze, workDir, snapshotName, filter, skips);
    }

    public DatabaseJob withKeepOwnership(boolean keep) {
        return new DatabaseJob(source, target, copy, dropIfExists, keep, verify, analyze, workDir, snapshotName, filter, skips);
    }

    public DatabaseJob withVerify(boolean check) {
        return new DatabaseJob(source, target, copy, dropIfExists, keepOwnership, check, analyze, workDir, snapshotName, filter, skips);
    }

    public DatabaseJob withAnalyze(boolean vacuumAndAnalyze) {
        return new DatabaseJob(source, target, copy, dropIfExists, keepOwnership, verify, vacuumAndAnalyze, workDir,
                snapshotName, filter);
    }

    public DatabaseJob withFilter(TableFilter tables) {
        return new DatabaseJob(source, target, copy, dropIfExists, keepOwnership, verify, analyze, workDir, snapshotName,
                tables, skips);
    }

    public DatabaseJob withSnapshot(String exportedSnapshot) {
        return new DatabaseJob(source, target, copy, dropIfExists, keepOwnership, verify, analyze, workDir, exportedSnapshot, filter, skips);
    }

    public DatabaseJob withSkips(ObjectSkips skipped) {
        return new DatabaseJob(source, target, copy, dropIfExists, keepOwnership, verify, analyze, workDir, snapshotName,
                filter, skipped);
    }
}
