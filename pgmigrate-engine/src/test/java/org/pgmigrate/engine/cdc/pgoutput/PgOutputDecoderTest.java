package org.pgmigrate.engine.cdc.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Begin;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Commit;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Delete;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Insert;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.LogicalMessage;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Relation;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.StreamAbort;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.StreamCommit;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Truncate;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Update;

class PgOutputDecoderTest {

    @Test
    void decodesBeginAndCommitPositions() throws IOException {
        Begin b = (Begin) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('B');
            o.writeLong(0x1_0000_0010L);
            o.writeLong(123_456L);
            o.writeInt(777);
        }), false);
        assertThat(b.finalLsn()).isEqualTo(Lsn.parse("1/10"));
        assertThat(b.xid()).isEqualTo(777);
        Commit c = (Commit) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('C');
            o.writeByte(0);
            o.writeLong(0x10);
            o.writeLong(0x40);
            o.writeLong(99);
        }), false);
        assertThat(c.endLsn()).isEqualTo(Lsn.parse("0/40"));
        assertThat(c.commitTimeMicros()).isEqualTo(99);
        assertThat(PgOutputMessage.toInstant(0)).hasToString("2000-01-01T00:00:00Z");
    }

    @Test
    void decodesRelationWithKeyFlagsAndStreamXid() throws IOException {
        Relation r = (Relation) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('R');
            o.writeInt(42); // xid, streamed
            o.writeInt(16384);
            str(o, "Sales");
            str(o, "Order \"Lines\"");
            o.writeByte('d');
            o.writeShort(2);
            o.writeByte(1);
            str(o, "id");
            o.writeInt(20);
            o.writeInt(-1);
            o.writeByte(0);
            str(o, "note");
            o.writeInt(25);
            o.writeInt(-1);
        }), true);
        assertThat(r.xid()).isEqualTo(42);
        assertThat(r.namespace()).isEqualTo("Sales");
        assertThat(r.name()).isEqualTo("Order \"Lines\"");
        assertThat(r.columns()).extracting(PgOutputMessage.RelationColumn::key).containsExactly(true, false);
        assertThat(r.columns().get(1).typeOid()).isEqualTo(25);
    }

    @Test
    void decodesTuplesWithNullUnchangedToastAndText() throws IOException {
        Update u = (Update) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('U');
            o.writeInt(16384);
            o.writeByte('K');
            o.writeShort(1);
            text(o, "1");
            o.writeByte('N');
            o.writeShort(3);
            text(o, "2");
            o.writeByte('n');
            o.writeByte('u');
        }), false);
        assertThat(u.oldKind()).isEqualTo('K');
        assertThat(u.oldTuple().value(0)).isEqualTo("1");
        assertThat(u.newTuple().value(0)).isEqualTo("2");
        assertThat(u.newTuple().isNull(1)).isTrue();
        assertThat(u.newTuple().isUnchangedToast(2)).isTrue();
        assertThat(u.newTuple().value(2)).isNull();

        Insert i = (Insert) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('I');
            o.writeInt(5);
            o.writeByte('N');
            o.writeShort(1);
            text(o, "it's \"é\" -216237.00000035969");
        }), false);
        assertThat(i.newTuple().value(0)).isEqualTo("it's \"é\" -216237.00000035969");

        Delete d = (Delete) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('D');
            o.writeInt(5);
            o.writeByte('O');
            o.writeShort(1);
            o.writeByte('n');
        }), false);
        assertThat(d.oldKind()).isEqualTo('O');
    }

    @Test
    void decodesTruncateFlagsMessagesAndStreamControl() throws IOException {
        Truncate t = (Truncate) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('T');
            o.writeInt(2);
            o.writeByte(3);
            o.writeInt(10);
            o.writeInt(11);
        }), false);
        assertThat(t.cascade()).isTrue();
        assertThat(t.restartIdentity()).isTrue();
        assertThat(t.relationIds()).containsExactly(10, 11);

        LogicalMessage m = (LogicalMessage) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('M');
            o.writeByte(0);
            o.writeLong(5);
            str(o, "heartbeat");
            o.writeInt(3);
            o.write("abc".getBytes(StandardCharsets.UTF_8));
        }), false);
        assertThat(m.transactional()).isFalse();
        assertThat(m.prefix()).isEqualTo("heartbeat");

        StreamCommit sc = (StreamCommit) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('c');
            o.writeInt(9);
            o.writeByte(0);
            o.writeLong(100);
            o.writeLong(200);
            o.writeLong(300);
        }), false);
        assertThat(sc.endLsn().value()).isEqualTo(200);
        StreamAbort sa = (StreamAbort) PgOutputDecoder.decode(msg(o -> {
            o.writeByte('A');
            o.writeInt(9);
            o.writeInt(10);
        }), false);
        assertThat(sa.subXid()).isEqualTo(10);
    }

    @Test
    void unknownMessageTypesFailLoudly() {
        assertThatThrownBy(() -> PgOutputDecoder.decode(ByteBuffer.wrap(new byte[] {'P', 0, 0}), false))
                .isInstanceOf(UnknownMessageException.class)
                .hasMessageContaining("Unsupported pgoutput message type 'P'");
        assertThatThrownBy(() -> PgOutputDecoder.decode(ByteBuffer.wrap(new byte[] {'B', 0}), false))
                .isInstanceOf(UnknownMessageException.class)
                .hasMessageContaining("Truncated");
    }

    @Test
    void binaryTupleValuesAreRejected() {
        assertThatThrownBy(() -> PgOutputDecoder.decode(msg(o -> {
            o.writeByte('I');
            o.writeInt(5);
            o.writeByte('N');
            o.writeShort(1);
            o.writeByte('b');
            o.writeInt(0);
        }), false)).isInstanceOf(UnknownMessageException.class).hasMessageContaining("kind 'b'");
    }

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static ByteBuffer msg(Writer w) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            w.write(new DataOutputStream(bytes));
            return ByteBuffer.wrap(bytes.toByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void str(DataOutputStream o, String s) throws IOException {
        o.write(s.getBytes(StandardCharsets.UTF_8));
        o.writeByte(0);
    }

    private static void text(DataOutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeByte('t');
        o.writeInt(b.length);
        o.write(b);
    }
}
