package org.pgmigrate.engine.cdc;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.pgoutput.MessageType;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputDecoder;
import org.pgmigrate.engine.cdc.pgoutput.UnknownMessageException;
import org.pgmigrate.engine.cdc.spool.Spool;
import org.pgmigrate.engine.cdc.spool.StreamFile;
import org.pgmigrate.engine.pg.PgConnector;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver thread: START_REPLICATION on the slot, pgoutput messages into the {@link Spool}, never blocking the
 * walsender (the disk spool absorbs any backlog, and the stream is polled so status updates keep flowing).
 *
 * <p>It confirms to the source ({@code flushed}) only what is durable: while the base copy runs, what is fsynced in
 * the spool; once apply starts, what is durably applied on the target (the confirmation never moves back). When no
 * transaction is open it records keepalive positions in the spool, so progress moves on an idle source and cutover
 * can prove it reached its end point. After a lost connection it discards the unfinished transaction and reconnects
 * with backoff from the spool's end; a missing or invalidated slot ends it with REPLICATION_SLOT_LOST.
 *
 * <p>{@link #run} is the thread body; {@link #stop}, {@link #requestKeepalive} and the getters are thread-safe.
 */
final class Receiver implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
    private static final long MARKER_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long an empty poll parks: from {@code BUSY_PARK_NANOS} after a message, doubling up to
     * {@code IDLE_PARK_NANOS} while the stream stays empty. A fixed 5 ms park let the socket fill while the walsender
     * was sending a backlog, which then waited for the receiver (bench/RESULTS.md, "Issue 13, stop 21").
     */
    private static final long BUSY_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How often the stream's housekeeping runs while messages keep coming (when it is empty: at every poll). */
    private static final long BUSY_HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ReplicationConfig config;
    private final PgConnector connector;
    private final SourceSetup setup;
    private final ReplicationNames names;
    private final int sourceVersion;
    private final Spool spool;
    private final CommitTimeline timeline;
    private final Supplier<Lsn> appliedDurable;
    private final Consumer<EngineException> onFailure;
    private final Consumer<String> onPause;
    private final SpoolRoom room;

    private final AtomicLong incomingChanges = new AtomicLong();
    private volatile boolean stopping;
    private volatile boolean confirmApplied;
    private volatile boolean keepaliveRequested;
    private volatile Lsn received = Lsn.INVALID;
    private volatile Lsn confirmed = Lsn.INVALID;
    private volatile int reconnects;
    private volatile Connection connection;

    // stream state, receiver thread only
    private boolean inTransaction;
    private boolean skipTransaction;
    private long transactionChanges;
    private StreamFile currentStream;
    private long lastMarkerNanos;
    private long lastReplyRequestNanos;
    private long lastPauseLogNanos = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
    private long lastSyncNanos;

    Receiver(ReplicationConfig config, PgConnector connector, SourceSetup setup, int sourceVersion, Spool spool,
             CommitTimeline timeline, Supplier<Lsn> appliedDurable, Consumer<EngineException> onFailure,
             Consumer<String> onPause) {
        this.config = config;
        this.connector = connector;
        this.setup = setup;
        this.names = config.names();
        this.sourceVersion = sourceVersion;
        this.spool = spool;
        this.timeline = timeline;
        this.appliedDurable = appliedDurable;
        this.onFailure = onFailure;
        this.onPause = onPause;
        this.room = new SpoolRoom(spool, config.spoolLimitBytes(), config.spoolReserveBytes(), appliedDurable,
                names.slot(), onPause);
    }

    long incomingChanges() {
        return incomingChanges.get();
    }

    Lsn received() {
        return received;
    }

    Lsn confirmed() {
        return confirmed;
    }

    int reconnects() {
        return reconnects;
    }

    /** From now on confirm to the source only what is durably applied on the target. */
    void confirmAppliedFromNowOn() {
        confirmApplied = true;
    }

    /** Asks for a status update with reply and a keepalive marker as soon as the stream is idle (cutover). */
    void requestKeepalive() {
        keepaliveRequested = true;
    }

    /** Stops the thread soon and closes its connection, which ends the walsender. */
    void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        Reconnect reconnect = new Reconnect(config.reconnectTimeout(), "the source server " + config.source().address(),
                "changes made on the source meanwhile wait in its replication slot " + names.slot() + ".", onPause);
        try {
            while (!stopping) {
                try {
                    stream(reconnect);
                } catch (SpoolRoom.NoRoom | UncheckedIOException e) {
                    boolean diskFull = e instanceof UncheckedIOException io && SpoolRoom.isDiskFull(io);
                    if (stopping || !(e instanceof SpoolRoom.NoRoom) && !diskFull) {
                        throw e;
                    }
                    // Pause capture rather than fail: what is not spooled yet stays in the slot on the source.
                    spool.discardIncomplete();
                    resetStreamState();
                    closeConnection();
                    String reason = diskFull ? "the disk of the change spool is full (" + e.getMessage() + ")."
                            : e.getMessage();
                    logPause(reason);
                    if (!room.awaitRoom(reason, diskFull, () -> stopping)) {
                        return;
                    }
                    LOG.debug("Capture resumes: the change spool has room again");
                } catch (SQLException | EngineException e) {
                    if (stopping) {
                        return;
                    }
                    spool.discardIncomplete();
                    resetStreamState();
                    checkSlot(e);
                    if (e instanceof EngineException ee && !Reconnect.isConnectionLost(ee)) {
                        throw ee;
                    }
                    if (e instanceof SQLException && !Reconnect.isConnectionLost(e) && !retryable((SQLException) e)) {
                        throw new EngineException(EngineError.REPLICATION_FAILED, "Streaming changes from the source"
                                + " server " + config.source().address() + " failed: " + e.getMessage()
                                + " (SQLSTATE " + ((SQLException) e).getSQLState() + ")", e);
                    }
                    reconnects++;
                    if (!reconnect.pause(e, () -> stopping, LOG)) {
                        return;
                    }
                }
            }
        } catch (EngineException e) {
            onFailure.accept(e);
        } catch (UnknownMessageException e) {
            onFailure.accept(new EngineException(EngineError.REPLICATION_FAILED, e.getMessage(), e));
        } catch (UncheckedIOException e) {
            onFailure.accept(new EngineException(EngineError.REPLICATION_FAILED, e.getMessage(), e));
        } catch (RuntimeException e) {
            onFailure.accept(new EngineException(EngineError.REPLICATION_FAILED, "Receiving changes failed: " + e, e));
        } finally {
            closeConnection();
            try {
                spool.sync();
            } catch (UncheckedIOException e) {
                LOG.warn("Could not sync the change spool on stop: {}", e.getMessage());
            }
        }
    }

    /**
     * Capture that keeps up with a slower applier pauses and resumes at its limit over and over; the first pause of
     * a while is a warning, the others are debug lines.
     */
    private void logPause(String reason) {
        long now = System.nanoTime();
        if (now - lastPauseLogNanos > TimeUnit.MINUTES.toNanos(10)) {
            LOG.warn("Capture paused: {}", reason);
            lastPauseLogNanos = now;
        } else {
            LOG.debug("Capture paused: {}", reason);
        }
    }

    /** 55006: the slot is still held by the walsender of a connection that just broke; it goes away shortly. */
    private static boolean retryable(SQLException e) {
        return "55006".equals(e.getSQLState());
    }

    private void checkSlot(Exception cause) {
        try (Connection c = connector.open(config.source(), PgConnector.Side.SOURCE, "cdc-monitor")) {
            SourceSetup.SlotStatus status = setup.slotStatus(c, names.slot(), sourceVersion);
            if (status == null || status.lost()) {
                throw setup.slotLost(names.slot(), status, cause);
            }
        } catch (SQLException e) {
            LOG.debug("Could not check replication slot {}: {}", names.slot(), e.getMessage());
        } catch (EngineException e) {
            if (e.error() == EngineError.REPLICATION_SLOT_LOST || !Reconnect.isConnectionLost(e)) {
                throw e;
            }
            // the source is unreachable: the reconnect loop finds out more later
        }
    }

    private void stream(Reconnect reconnect) throws SQLException {
        Lsn start = Lsn.max(spool.highWater(), confirmed);
        Connection c = connector.openReplication(config.source(), "cdc-receive");
        connection = c;
        // The text forms that any target parses the same way (ISO dates, exact floats...) are pinned at connect
        // (pg.SessionSettings), as for the copy sessions.
        ChainedLogicalStreamBuilder builder = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                .logical()
                .withSlotName(names.slot())
                .withStartPosition(LogSequenceNumber.valueOf(start.value()))
                .withSlotOption("publication_names", names.publication())
                .withStatusInterval((int) config.statusInterval().toMillis(), TimeUnit.MILLISECONDS)
                // pgmigrate decides what is flushed: never let the driver confirm a keepalive position for us.
                .withAutomaticFlush(false);
        if (sourceVersion >= 140000) {
            builder.withSlotOption("proto_version", 2).withSlotOption("streaming", "on")
                    .withSlotOption("messages", true);
        } else {
            builder.withSlotOption("proto_version", 1);
        }
        // The stream ends with its connection (closeConnection): a CopyDone handshake could wait on a dead server.
        PGReplicationStream stream = builder.start();
        try {
            LOG.info("Streaming changes from slot {} at {}", names.slot(), start);
            if (confirmed.isValid()) {
                stream.setFlushedLSN(LogSequenceNumber.valueOf(confirmed.value()));
                stream.setAppliedLSN(LogSequenceNumber.valueOf(confirmed.value()));
            }
            pump(stream, reconnect);
        } finally {
            closeConnection();
        }
    }

    private void pump(PGReplicationStream stream, Reconnect reconnect) throws SQLException {
        long lastHousekeeping = 0;
        long park = BUSY_PARK_NANOS;
        boolean working = false;
        while (!stopping) {
            ByteBuffer message = stream.readPending();
            if (message != null) {
                if (!working) {
                    reconnect.succeeded();
                    working = true;
                }
                received = Lsn.max(received, Lsn.of(stream.getLastReceiveLSN().asLong()));
                handle(message);
                park = BUSY_PARK_NANOS;
            }
            long now = System.nanoTime();
            if (message == null || now - lastHousekeeping > BUSY_HOUSEKEEPING_NANOS) {
                housekeeping(stream, now);
                lastHousekeeping = now;
            }
            if (message == null) {
                LockSupport.parkNanos(park);
                park = Math.min(park * 2, IDLE_PARK_NANOS);
            }
        }
    }

    private void housekeeping(PGReplicationStream stream, long now) throws SQLException {
        boolean idle = !inTransaction && currentStream == null;
        room.check(idle && !spool.hasOpenStreams());
        Lsn position = Lsn.of(stream.getLastReceiveLSN().asLong());
        received = Lsn.max(received, position);
        if (idle && position.compareTo(spool.highWater()) > 0
                && (keepaliveRequested || now - lastMarkerNanos >= MARKER_INTERVAL_NANOS)) {
            spool.appendKeepalive(position);
            lastMarkerNanos = now;
        }
        // fsync at the configured interval, not at every empty poll: during a backlog the stream empties every few
        // hundred kilobytes, and an fsync each time held the receiver (and so the walsender) up
        Lsn durable = spool.durableLsn();
        if (now - lastSyncNanos >= config.spoolSyncInterval().toNanos()) {
            durable = spool.sync();
            lastSyncNanos = now;
        }
        Lsn candidate = confirmApplied ? appliedDurable.get() : durable;
        if (candidate != null && candidate.compareTo(confirmed) > 0) {
            confirmed = candidate;
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(candidate.value());
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
        }
        // While idle, ask the walsender for its position about once a second (a status update that requests a
        // reply): the keepalive it answers with becomes a marker, so progress and lag move on an idle database.
        if (keepaliveRequested || (idle && now - lastReplyRequestNanos >= MARKER_INTERVAL_NANOS)) {
            keepaliveRequested = false;
            lastReplyRequestNanos = now;
            stream.forceUpdateStatus();
        }
    }

    private void handle(ByteBuffer message) {
        MessageType type = MessageType.forCode(message.get(message.position()));
        if (currentStream != null && type.hasStreamXid()) {
            int subXid = PgOutputDecoder.streamXid(message);
            if (type == MessageType.MESSAGE) {
                return; // logical messages carry no rows
            }
            currentStream.append(message, subXid, type.isChange());
            return;
        }
        switch (type) {
            case BEGIN -> {
                inTransaction = true;
                transactionChanges = 0;
                Lsn finalLsn = Lsn.of(message.getLong(message.position() + 1));
                // A commit that starts before the spool's end is already spooled (a resent transaction).
                skipTransaction = finalLsn.isBefore(spool.highWater());
                if (!skipTransaction) {
                    spool.appendMessage(message);
                }
            }
            case COMMIT -> {
                Lsn end = Lsn.of(message.getLong(message.position() + 10));
                long commitTime = message.getLong(message.position() + 18);
                if (!skipTransaction) {
                    spool.appendMessage(message);
                    // Into the timeline before the applier can see it, so latency never misses a transaction.
                    timeline.received(end, commitTime);
                    incomingChanges.addAndGet(transactionChanges);
                    spool.endTransaction(end);
                }
                inTransaction = false;
                skipTransaction = false;
            }
            case RELATION, TYPE -> spool.appendMessage(message); // even in a skipped transaction: later ones rely on it
            case INSERT, UPDATE, DELETE, TRUNCATE, ORIGIN -> {
                if (!inTransaction) {
                    throw new UnknownMessageException("pgoutput " + type + " message outside a transaction");
                }
                if (!skipTransaction) {
                    spool.appendMessage(message);
                    if (type.isChange()) {
                        transactionChanges++;
                    }
                }
            }
            case MESSAGE -> {
                // pg_logical_emit_message output (heartbeats of other tools, our cutover nudge): nothing to apply.
            }
            case STREAM_START -> {
                int xid = message.getInt(message.position() + 1);
                boolean first = message.get(message.position() + 5) == 1;
                currentStream = spool.stream(xid, first);
            }
            case STREAM_STOP -> currentStream = null;
            case STREAM_COMMIT -> {
                ByteBuffer b = message.duplicate();
                b.get();
                int xid = b.getInt();
                b.get();
                Lsn commitLsn = Lsn.of(b.getLong());
                Lsn end = Lsn.of(b.getLong());
                long commitTime = b.getLong();
                StreamFile file = spool.stream(xid, true);
                if (commitLsn.isBefore(spool.highWater())) {
                    file.discard();
                } else {
                    timeline.received(end, commitTime);
                    incomingChanges.addAndGet(file.changes());
                    file.commit(commitLsn, end, commitTime);
                }
            }
            case STREAM_ABORT -> {
                int xid = message.getInt(message.position() + 1);
                int subXid = message.getInt(message.position() + 5);
                StreamFile file = spool.openStream(xid);
                if (file != null) {
                    file.abort(subXid);
                }
                if (subXid == xid) {
                    LOG.debug("Streamed transaction {} rolled back", Integer.toUnsignedString(xid));
                }
            }
            default -> throw new UnknownMessageException("Unexpected pgoutput " + type + " message");
        }
    }

    private void resetStreamState() {
        inTransaction = false;
        skipTransaction = false;
        currentStream = null;
        transactionChanges = 0;
    }

    private void closeConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("Closing the replication connection: {}", e.getMessage());
            }
        }
    }
}
