package org.pgmigrate.engine.copy;

import java.util.Optional;

/**
 * The checkpoint value of one table part: {@code done <rows> <bytes>} once the part is on the target, and
 * {@code pending <xid> <rows> <bytes>} between the end of a range part's stream and its commit (a resumed run asks
 * the target whether transaction {@code xid} committed). The counts let a resumed run report every row of the
 * table, the earlier runs' too, not only its own. Journals written before the counts were recorded hold
 * {@code done} and {@code pending <xid>} alone: their counts read as unknown (-1).
 *
 * @param xid   the target transaction of a pending part, else -1
 * @param rows  rows the part copied, -1 when unknown
 * @param bytes bytes of COPY data the part carried, -1 when unknown
 */
record PartRecord(boolean done, long xid, long rows, long bytes) {

    private static final String DONE = "done";
    private static final String PENDING = "pending";

    static String done(long rows, long bytes) {
        return DONE + " " + rows + " " + bytes;
    }

    static String pending(long xid, long rows, long bytes) {
        return PENDING + " " + xid + " " + rows + " " + bytes;
    }

    /** A pending record turned done (its transaction committed), with the same counts. */
    String asDone() {
        return done(rows, bytes);
    }

    /** Whether the counts were recorded (not a journal from before they were). */
    boolean countsKnown() {
        return rows >= 0 && bytes >= 0;
    }

    /** The record in {@code value}; empty for a part with no record (or one this version cannot read). */
    static Optional<PartRecord> parse(String value) {
        String[] words = value.trim().split(" ");
        try {
            if (words[0].equals(DONE)) {
                return Optional.of(words.length == 3
                        ? new PartRecord(true, -1, Long.parseLong(words[1]), Long.parseLong(words[2]))
                        : new PartRecord(true, -1, -1, -1));
            }
            if (words[0].equals(PENDING) && words.length >= 2) {
                long xid = Long.parseLong(words[1]);
                return Optional.of(words.length == 4
                        ? new PartRecord(false, xid, Long.parseLong(words[2]), Long.parseLong(words[3]))
                        : new PartRecord(false, xid, -1, -1));
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
