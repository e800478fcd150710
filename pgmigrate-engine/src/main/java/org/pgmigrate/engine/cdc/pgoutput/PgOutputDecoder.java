package org.pgmigrate.engine.cdc.pgoutput;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Begin;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Commit;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Delete;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Insert;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.LogicalMessage;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Origin;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Relation;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.RelationColumn;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.StreamAbort;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.StreamCommit;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.StreamStart;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.StreamStop;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Truncate;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Type;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Update;

/**
 * Decodes pgoutput messages (protocol versions 1 and 2, text mode) from the bytes of one XLogData payload. Layouts
 * follow PostgreSQL's src/backend/replication/logical/proto.c; integers are big-endian, strings NUL-terminated UTF-8
 * (pgjdbc sets client_encoding=UTF8).
 *
 * <p>Stateless and thread-safe. Unknown message types, tuple kinds and old-tuple markers throw
 * {@link UnknownMessageException}; a message shorter than its layout throws it too.
 */
public final class PgOutputDecoder {

    private PgOutputDecoder() {
    }

    /**
     * Decodes one message. {@code inStream} says whether it sits between Stream Start and Stream Stop, where the
     * change, relation, type and message layouts begin with a transaction id. The buffer's position is not moved.
     */
    public static PgOutputMessage decode(ByteBuffer message, boolean inStream) {
        ByteBuffer b = message.duplicate();
        try {
            MessageType type = MessageType.forCode(b.get());
            int xid = inStream && type.hasStreamXid() ? b.getInt() : 0;
            PgOutputMessage decoded = switch (type) {
                case BEGIN -> new Begin(lsn(b), b.getLong(), b.getInt());
                case COMMIT -> new Commit(b.get(), lsn(b), lsn(b), b.getLong());
                case ORIGIN -> new Origin(lsn(b), string(b));
                case RELATION -> relation(b, xid);
                case TYPE -> new Type(xid, b.getInt(), string(b), string(b));
                case INSERT -> insert(b, xid);
                case UPDATE -> update(b, xid);
                case DELETE -> delete(b, xid);
                case TRUNCATE -> truncate(b, xid);
                case MESSAGE -> logicalMessage(b, xid);
                case STREAM_START -> new StreamStart(b.getInt(), b.get() == 1);
                case STREAM_STOP -> new StreamStop();
                case STREAM_COMMIT -> new StreamCommit(b.getInt(), b.get(), lsn(b), lsn(b), b.getLong());
                case STREAM_ABORT -> new StreamAbort(b.getInt(), b.getInt());
            };
            return decoded;
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new UnknownMessageException("Truncated pgoutput message of type '" + (char) message.get(message.position())
                    + "' (" + message.remaining() + " bytes)");
        }
    }

    /**
     * Whether the message carries row data (INSERT, UPDATE, DELETE, TRUNCATE) or a logical message, read from its
     * first byte: what a reader skipping a transaction it applied before can pass over without decoding it.
     */
    public static boolean carriesRows(ByteBuffer message) {
        MessageType type = MessageType.forCode(message.get(message.position()));
        return switch (type) {
            case INSERT, UPDATE, DELETE, TRUNCATE, MESSAGE -> true;
            default -> false;
        };
    }

    /** The transaction id that leads a change inside a streamed transaction, without decoding the rest. */
    public static int streamXid(ByteBuffer message) {
        return message.getInt(message.position() + 1);
    }

    private static Relation relation(ByteBuffer b, int xid) {
        int relationId = b.getInt();
        String namespace = string(b);
        String name = string(b);
        char identity = (char) b.get();
        int columnCount = b.getShort();
        List<RelationColumn> columns = new ArrayList<>(columnCount);
        for (int i = 0; i < columnCount; i++) {
            boolean key = (b.get() & 1) != 0;
            columns.add(new RelationColumn(string(b), b.getInt(), b.getInt(), key));
        }
        return new Relation(xid, relationId, namespace, name, identity, List.copyOf(columns));
    }

    private static Insert insert(ByteBuffer b, int xid) {
        int relationId = b.getInt();
        expect(b.get(), 'N', "Insert");
        return new Insert(xid, relationId, tuple(b));
    }

    private static Update update(ByteBuffer b, int xid) {
        int relationId = b.getInt();
        char marker = (char) b.get();
        Tuple old = null;
        char oldKind = 0;
        if (marker == 'K' || marker == 'O') {
            oldKind = marker;
            old = tuple(b);
            marker = (char) b.get();
        }
        expect((byte) marker, 'N', "Update");
        return new Update(xid, relationId, oldKind, old, tuple(b));
    }

    private static Delete delete(ByteBuffer b, int xid) {
        int relationId = b.getInt();
        char marker = (char) b.get();
        if (marker != 'K' && marker != 'O') {
            throw new UnknownMessageException("Delete message with old-tuple marker '" + marker + "'; expected 'K' or 'O'");
        }
        return new Delete(xid, relationId, marker, tuple(b));
    }

    private static Truncate truncate(ByteBuffer b, int xid) {
        int count = b.getInt();
        int flags = b.get();
        List<Integer> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(b.getInt());
        }
        return new Truncate(xid, (flags & 1) != 0, (flags & 2) != 0, List.copyOf(ids));
    }

    private static LogicalMessage logicalMessage(ByteBuffer b, int xid) {
        boolean transactional = (b.get() & 1) != 0;
        Lsn lsn = lsn(b);
        String prefix = string(b);
        int length = b.getInt();
        return new LogicalMessage(xid, transactional, lsn, prefix, length);
    }

    private static Tuple tuple(ByteBuffer b) {
        int n = b.getShort();
        byte[] kinds = new byte[n];
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            byte kind = b.get();
            kinds[i] = kind;
            switch (kind) {
                case Tuple.NULL, Tuple.UNCHANGED_TOAST -> {
                }
                case Tuple.TEXT -> {
                    int length = b.getInt();
                    values[i] = new String(b.array(), b.arrayOffset() + b.position(), length, StandardCharsets.UTF_8);
                    b.position(b.position() + length);
                }
                default -> throw new UnknownMessageException("Unsupported tuple column kind '" + (char) kind
                        + "' (binary values are never requested; pgmigrate streams in text mode)");
            }
        }
        return new Tuple(kinds, values);
    }

    private static Lsn lsn(ByteBuffer b) {
        return Lsn.of(b.getLong());
    }

    private static String string(ByteBuffer b) {
        int start = b.position();
        int end = start;
        while (b.get(end) != 0) {
            end++;
        }
        String s = new String(b.array(), b.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        b.position(end + 1);
        return s;
    }

    private static void expect(byte actual, char expected, String what) {
        if (actual != expected) {
            throw new UnknownMessageException(what + " message with marker '" + (char) actual + "' where '" + expected
                    + "' was expected");
        }
    }
}
