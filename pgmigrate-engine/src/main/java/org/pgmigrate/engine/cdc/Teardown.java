package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.apply.Applier;
import org.pgmigrate.engine.cdc.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes one database's replication objects after cutover or cancel: slot and publication on the source (a
 * leftover slot would keep source WAL forever, so a failure here is reported with the commands to run by hand),
 * the progress origin or row on the target, and the spool. Each step runs on its own. Stateless.
 */
final class Teardown {

    private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);

    private final ReplicationConfig config;
    private final SourceSetup setup;
    private final ReplicationNames names;

    Teardown(ReplicationConfig config, SourceSetup setup) {
        this.config = config;
        this.setup = setup;
        this.names = config.names();
    }

    /** Drops slot and publication; returns the problem to report, or null. {@code when} is "Cutover" or "Cancel". */
    EngineException dropSourceObjects(Connection source, int sourceVersion, String when) {
        try {
            int version = sourceVersion == 0 ? setup.checkReady(source) : sourceVersion;
            setup.dropSlot(source, names.slot(), version, Duration.ofSeconds(10));
            setup.dropPublication(source, names.publication());
            return null;
        } catch (SQLException | RuntimeException e) {
            return new EngineException(EngineError.REPLICATION_FAILED, when + " could not drop replication slot "
                    + names.slot() + " or publication " + names.publication() + " on the source server "
                    + config.source().address() + ": " + e.getMessage() + ". Drop them by hand (SELECT"
                    + " pg_drop_replication_slot('" + names.slot() + "'); DROP PUBLICATION " + names.publication()
                    + ";): a leftover slot keeps source WAL forever.", e);
        }
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
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
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
