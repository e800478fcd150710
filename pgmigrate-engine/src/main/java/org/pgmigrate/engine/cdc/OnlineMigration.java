package org.pgmigrate.engine.cdc;

import java.time.Duration;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.progress.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online flow of one database: the engine's base copy runs under the replication slot's exported snapshot while
 * changes are captured into the spool, then changes are applied continuously until {@link #cutover}.
 *
 * <p>The copy cannot be resumed under another snapshot: if it fails or is canceled, replication is canceled too
 * (slot and publication dropped), and a new attempt starts over with a fresh checkpoint store. Once the copy is
 * done, a restarted process continues with {@link OnlineReplication#resume} instead.
 *
 * <p>Lifecycle methods are serialized; {@link #stats()} may be called from any thread at any time.
 */
public final class OnlineMigration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineMigration.class);

    private final Engine engine;
    private final DatabaseJob job;
    private final OnlineReplication replication;
    private volatile SlotSnapshot slot;

    /**
     * The base copy takes the replication's filter ({@code ReplicationConfig.filter}), so that the tables copied and
     * the tables replicated are the same; {@code job} must have no other.
     */
    public OnlineMigration(Engine engine, DatabaseJob job, OnlineReplication replication) {
        org.pgmigrate.engine.catalog.TableFilter filter = replication.config().filter();
        if (!job.filter().isEmpty() && !job.filter().equals(filter)) {
            throw new IllegalArgumentException("The job's filter (" + job.filter().describe() + ") is not the"
                    + " replication's (" + filter.describe() + ")");
        }
        this.engine = engine;
        this.job = job.withFilter(filter);
        this.replication = replication;
    }

    /**
     * Creates the publication and slot, starts capture, runs the base copy under the slot's snapshot (blocking for
     * as long as the copy takes), then starts applying changes. Returns the copy's report; keep {@link #slot()} to
     * resume later. While the slot's creation waits for transactions open on the source, {@code listener} gets
     * notices naming them.
     */
    public synchronized DatabaseReport start(ProgressListener listener, CheckpointStore checkpoints,
                                             Cancellation cancel) {
        slot = replication.prepare(listener, cancel);
        try {
            replication.startCapture();
            // Apply starts only after the copy (and its verification against the snapshot) returns.
            DatabaseReport report = engine.migrateDatabase(job.withSnapshot(slot.snapshotName()), listener,
                    checkpoints, cancel);
            replication.startApply();
            return report;
        } catch (RuntimeException e) {
            try {
                replication.cancel();
            } catch (EngineException cleanup) {
                e.addSuppressed(cleanup);
            }
            LOG.info("The base copy of {} did not finish; replication slot {} dropped", job.source().database(),
                    slot.slotName());
            throw e;
        }
    }

    /** The slot and snapshot of this run (null before {@link #start}). */
    public SlotSnapshot slot() {
        return slot;
    }

    public OnlineReplication replication() {
        return replication;
    }

    public ReplicationStats stats() {
        return replication.stats();
    }

    public CutoverResult cutover(Duration timeout) {
        return replication.cutover(timeout);
    }

    public void cancel() {
        replication.cancel();
    }

    @Override
    public void close() {
        replication.close();
    }
}
