package org.pgmigrate.engine.cdc.pgoutput;

/**
 * The pgoutput message types pgmigrate understands (protocol versions 1 and 2, text mode). Anything else, including
 * the two-phase messages of version 3 that pgmigrate never asks for, is an error: a skipped message could carry rows.
 */
public enum MessageType {
    BEGIN('B'),
    COMMIT('C'),
    ORIGIN('O'),
    RELATION('R'),
    TYPE('Y'),
    INSERT('I'),
    UPDATE('U'),
    DELETE('D'),
    TRUNCATE('T'),
    MESSAGE('M'),
    STREAM_START('S'),
    STREAM_STOP('E'),
    STREAM_COMMIT('c'),
    STREAM_ABORT('A');

    private static final MessageType[] BY_CODE = new MessageType[128];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final char code;

    MessageType(char code) {
        this.code = code;
    }

    public char code() {
        return code;
    }

    /** The type of a message's first byte; throws {@link UnknownMessageException} for anything unknown. */
    public static MessageType forCode(byte code) {
        MessageType type = code >= 0 ? BY_CODE[code] : null;
        if (type == null) {
            throw new UnknownMessageException("Unsupported pgoutput message type '" + printable(code) + "' (byte "
                    + (code & 0xFF) + "). pgmigrate refuses to skip it because it might carry row changes.");
        }
        return type;
    }

    /** True for the messages that carry a leading transaction id inside a streamed transaction (protocol 2+). */
    public boolean hasStreamXid() {
        return switch (this) {
            case RELATION, TYPE, INSERT, UPDATE, DELETE, TRUNCATE, MESSAGE -> true;
            default -> false;
        };
    }

    /** True for the messages that change rows. */
    public boolean isChange() {
        return this == INSERT || this == UPDATE || this == DELETE || this == TRUNCATE;
    }

    private static String printable(byte code) {
        return code >= 32 && code < 127 ? String.valueOf((char) code) : "\\x" + Integer.toHexString(code & 0xFF);
    }
}
