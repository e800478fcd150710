package org.pgmigrate.engine.cdc.pgoutput;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.pgmigrate.engine.cdc.Lsn;

/**
 * A decoded pgoutput message (see the PostgreSQL documentation "Logical Replication Message Formats"). {@code xid}
 * fields are the transaction id sent inside streamed transactions and 0 elsewhere. Times are microseconds since
 * 2000-01-01 UTC, as the server sends them; {@link #toInstant} converts.
 */
public sealed interface PgOutputMessage {

    /** The server's epoch, 2000-01-01T00:00:00Z. */
    Instant PG_EPOCH = Instant.ofEpochSecond(946_684_800L);

    static Instant toInstant(long pgMicros) {
        return PG_EPOCH.plus(pgMicros, ChronoUnit.MICROS);
    }

    MessageType type();

    /** {@code finalLsn} is the LSN of the transaction's commit record. */
    record Begin(Lsn finalLsn, long commitTimeMicros, int xid) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.BEGIN;
        }
    }

    /** {@code endLsn} is the end of the commit record: the position to record as applied. */
    record Commit(int flags, Lsn commitLsn, Lsn endLsn, long commitTimeMicros) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.COMMIT;
        }
    }

    record Origin(Lsn commitLsn, String name) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.ORIGIN;
        }
    }

    /** A column as the source publishes it; generated and dropped columns are never sent. */
    record RelationColumn(String name, int typeOid, int typeModifier, boolean key) {
    }

    /**
     * A table's definition as the source sees it now. {@code namespace} is empty for pg_catalog.
     * {@code replicaIdentity} is 'd' (default: primary key), 'n' (nothing), 'f' (full) or 'i' (index).
     */
    record Relation(int xid, int relationId, String namespace, String name, char replicaIdentity,
                    List<RelationColumn> columns) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.RELATION;
        }
    }

    record Type(int xid, int typeOid, String namespace, String name) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.TYPE;
        }
    }

    record Insert(int xid, int relationId, Tuple newTuple) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.INSERT;
        }
    }

    /**
     * {@code oldKind} is 'K' when {@code oldTuple} holds the old key (the key changed or was TOASTed), 'O' when it
     * holds the whole old row (REPLICA IDENTITY FULL), and 0 when there is no old image.
     */
    record Update(int xid, int relationId, char oldKind, Tuple oldTuple, Tuple newTuple) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.UPDATE;
        }
    }

    /** {@code oldKind} is 'K' (old key) or 'O' (whole old row under REPLICA IDENTITY FULL). */
    record Delete(int xid, int relationId, char oldKind, Tuple oldTuple) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.DELETE;
        }
    }

    /** Every truncated relation is listed, including those a CASCADE reached. */
    record Truncate(int xid, boolean cascade, boolean restartIdentity, List<Integer> relationIds)
            implements PgOutputMessage {
        public MessageType type() {
            return MessageType.TRUNCATE;
        }
    }

    /** pg_logical_emit_message output; the content is skipped, only its length is kept. */
    record LogicalMessage(int xid, boolean transactional, Lsn lsn, String prefix, int contentLength)
            implements PgOutputMessage {
        public MessageType type() {
            return MessageType.MESSAGE;
        }
    }

    record StreamStart(int xid, boolean firstSegment) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.STREAM_START;
        }
    }

    record StreamStop() implements PgOutputMessage {
        public MessageType type() {
            return MessageType.STREAM_STOP;
        }
    }

    record StreamCommit(int xid, int flags, Lsn commitLsn, Lsn endLsn, long commitTimeMicros)
            implements PgOutputMessage {
        public MessageType type() {
            return MessageType.STREAM_COMMIT;
        }
    }

    /** {@code subXid} equals {@code xid} when the whole transaction aborted, else one subtransaction rolled back. */
    record StreamAbort(int xid, int subXid) implements PgOutputMessage {
        public MessageType type() {
            return MessageType.STREAM_ABORT;
        }
    }
}
