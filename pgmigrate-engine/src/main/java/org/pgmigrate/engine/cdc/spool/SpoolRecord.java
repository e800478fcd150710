package org.pgmigrate.engine.cdc.spool;

import java.nio.ByteBuffer;
import org.pgmigrate.engine.cdc.Lsn;

/** One entry of the change spool, as a {@link SpoolReader} returns it. */
public sealed interface SpoolRecord {

    /** A pgoutput message, byte for byte as the source sent it (a heap buffer, positioned at the type byte). */
    record Message(ByteBuffer bytes) implements SpoolRecord {
    }

    /**
     * The source had sent everything up to {@code lsn} and no transaction was open: every commit before it is
     * already in the spool. Lets progress move on an idle source and lets cutover prove it reached its end point.
     */
    record Keepalive(Lsn lsn) implements SpoolRecord {
    }

    /** A streamed transaction that committed; its messages are in {@link SpoolReader#streamed}. */
    record Streamed(int xid, Lsn commitLsn, Lsn endLsn, long commitTimeMicros, String fileName) implements SpoolRecord {
    }
}
