package org.pgmigrate.engine.cdc.apply;

import java.time.Duration;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.pg.PgEndpoint;

/**
 * How the applier works. {@code progressName} names the replication origin (or progress row);
 * {@code initialPosition} is where progress starts when none is recorded yet (the slot's consistent point).
 * A source transaction is never split; a target transaction (group) closes after {@code groupCommitChanges}
 * changes or {@code groupCommitDelay}, or as soon as the spool has nothing more to apply. {@code resetProgress}
 * starts progress over at {@code initialPosition} (a new slot), discarding what an earlier run of the same
 * migration recorded; a resume keeps it.
 */
public record ApplySettings(PgEndpoint target, String progressName, ProgressTracking progressTracking,
                            Lsn initialPosition, int groupCommitChanges, Duration groupCommitDelay, int batchSize,
                            long batchBytes, Duration reconnectBudget, boolean resetProgress) {
}
