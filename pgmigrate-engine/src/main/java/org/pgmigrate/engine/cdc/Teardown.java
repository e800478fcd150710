package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.apply.Applier;
import org.pgmigrate.engine.cdc.spool.Spool;
import org.pgmigrate.engine.pg.PgConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes one database's replication objects after cutover or cancel: on the source, everything the
 * {@link SourceChangeLog} records (slot, publication, replica identities set to FULL) is undone by
 * {@link SourceUndo}, and what is left is recorded again (a leftover slot would keep source WAL forever, so it is
 * reported with the commands to run by hand); the progress origin or row on the target, and the spool. Each step
 * runs on its own. Holds the last undo's report.
 */
final class Teardown {

    private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);

    private final ReplicationConfig config;
    private final ReplicationNames names;
    private final SourceChangeLog changeLog;
    private volatile SourceUndo.Report lastUndo;
    private volatile SourceChanges lastUndone = SourceChanges.NONE;

    Teardown(ReplicationConfig config, SourceChangeLog changeLog) {
        this.config = config;
        this.names = config.names();
        this.changeLog = changeLog;
    }

    /**
     * Undoes what this migration changed on the source (its slot and publication by name, even when a log kept in
     * memory lost them, plus what the log records) and records what is left. Returns the problem to report, or null:
     * at "Cutover" only a slot or publication left behind is one (a replica identity not restored yet is reported
     * and stays recorded); at "Cancel" anything left is. {@code sourceVersion} is not needed any more.
     */
    EngineException dropSourceObjects(Connection source, int sourceVersion, String when) {
        SourceChanges recorded = recorded();
        lastUndone = recorded;
        SourceUndo.Report report;
        try {
            report = new SourceUndo(config.source()).undo(source, recorded);
        } catch (SQLException | RuntimeException e) {
            report = new SourceUndo(config.source()).unreachable(recorded, e.getMessage());
        }
        return settle(report, when);
    }

    /**
     * At cutover, after {@link #dropSourceObjects}: the schema copy carried the REPLICA IDENTITY FULL pgmigrate had
     * set on the source into the target, where it does not belong either; the tables get their earlier identity
     * there too (best effort: logged, and noted in {@link #lastUndo()}).
     */
    void restoreTargetIdentities(Connection target) {
        if (lastUndone.replicaIdentities().isEmpty()) {
            return;
        }
        int restored = SourceUndo.restoreOnTarget(target, lastUndone.replicaIdentities());
        SourceUndo.Report r = lastUndo;
        if (restored > 0 && r != null) {
            List<String> done = new ArrayList<>(r.done());
            done.add("the target's copies of " + restored + " of these tables got their earlier replica identity too");
            lastUndo = new SourceUndo.Report(r.address(), done, r.left(), r.remaining());
        }
    }

    /** {@link #dropSourceObjects} on a connection of its own (an unreachable source leaves everything recorded). */
    EngineException undoSource(PgConnector connector, String when) {
        SourceChanges recorded = recorded();
        SourceUndo.Report report;
        try {
            report = new SourceUndo(config.source()).undo(connector, recorded);
        } catch (RuntimeException e) {
            report = new SourceUndo(config.source()).unreachable(recorded, e.getMessage());
        }
        return settle(report, when);
    }

    /** The report of the last undo on the source, or null before one ran. */
    SourceUndo.Report lastUndo() {
        return lastUndo;
    }

    private SourceChanges recorded() {
        return changeLog.load().withReplication(names.slot(), names.publication());
    }

    private EngineException settle(SourceUndo.Report report, String when) {
        changeLog.save(report.remaining());
        lastUndo = report;
        boolean problem = "Cutover".equals(when) ? report.replicationRemains() : !report.complete();
        if (!report.complete()) {
            LOG.warn("{} left changes on the source server {}: {}", when, config.source().address(), report.describe());
        }
        return problem ? new EngineException(EngineError.REPLICATION_FAILED, when + " could not undo everything"
                + " pgmigrate changed on the source: " + report.describe()) : null;
    }

    /** The problem to report when the source cannot even be reached to drop slot and publication. */
    EngineException unreachable(Exception cause, String when) {
        return new EngineException(EngineError.REPLICATION_FAILED, when + " could not reach the source server "
                + config.source().address() + " to drop replication slot " + names.slot() + " and publication "
                + names.publication() + ": " + cause.getMessage() + ". Drop them by hand (SELECT"
                + " pg_drop_replication_slot('" + names.slot() + "'); DROP PUBLICATION " + names.publication()
                + ";): a leftover slot keeps source WAL forever.", cause);
    }

    /** Drops the progress record; waits a little for the applier's backend to let go of the origin. */
    void dropProgress(Connection target, Applier applier) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                applier.dropProgress(target);
                return;
            } catch (SQLException e) {
                // 55006: the applier's backend has not exited yet and still holds the origin.
                if (!"55006".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // it exits within milliseconds
            }
        }
    }

    void deleteSpool(Spool spool) {
        try {
            if (spool != null) {
                spool.delete();
            } else {
                Spool.open(config.spoolDirectory(), config.spoolSegmentBytes(), (l, t) -> { }).delete();
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the change spool in {}: {}", config.spoolDirectory(), e.getMessage());
        }
    }
}
