package org.pgmigrate.engine.cdc;

import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.checkpoint.PrefixedCheckpointStore;

/**
 * How far the online migration of one database got, as its {@link CheckpointStore} records it, and what that means
 * for the next process: every decision here is a function of the record, without a server.
 *
 * <p>Keys, under {@code online/<db>/}: {@code attempt} (the base copy's attempt number; the engine's own checkpoints
 * of attempt n live under {@code online/<db>/<n>/}), {@code slot} (the slot and its snapshot, written once the base
 * copy is done), {@code cutover-target} (the cutover's end point and applied position, written when the target is
 * complete and before the source is cleaned up), {@code cutover} (written once cut over), {@code cleaned} (the
 * attempt whose source objects were dropped) and {@code end-point-writes} (what the source had written when the
 * cutover began, for the verification after it).
 *
 * @param attempt        the base copy's attempt number, 0 before the first
 * @param copiedSlot     the slot whose snapshot the recorded attempt's base copy completed under, or null
 * @param targetComplete the cutover's points once the target is complete, or null
 * @param cutOver        the cutover's points once its cleanup is done too, or null
 * @param cleanedAttempt the attempt whose replication objects were dropped (a cancel, a failed copy), 0 if none
 * @param targetCreated  whether the recorded attempt created the target database
 * @param targetIdentity the identity of the target database the recorded attempt created, or null
 */
public record OnlineProgress(int attempt, SlotSnapshot copiedSlot, CutoverPoints targetComplete, CutoverPoints cutOver,
                             int cleanedAttempt, boolean targetCreated, String targetIdentity) {

    /** Where a database stands. */
    public enum Phase {
        /** Nothing was created on either server yet. */
        NOT_STARTED,
        /** A base copy began and did not finish (in this process it may still run): a new attempt starts over. */
        BASE_COPY,
        /** The base copy is done: changes are applied (or, in a new process, resume from the slot). */
        APPLYING,
        /** The cutover made the target complete, and the process died before the source was cleaned up. */
        CUTOVER_INTERRUPTED,
        /** Cut over: the target is complete, the slot and publication are gone. Verification may remain. */
        CUT_OVER
    }

    /** The cutover's end point on the source and the position durably applied on the target (at least the end point). */
    public record CutoverPoints(Lsn endPoint, Lsn applied) {

        String encode() {
            return endPoint + " " + applied;
        }

        static CutoverPoints decode(String text) {
            String[] points = text.split(" ");
            if (points.length != 2) {
                throw new IllegalStateException("Corrupt cutover checkpoint '" + text + "'");
            }
            return new CutoverPoints(Lsn.parse(points[0]), Lsn.parse(points[1]));
        }
    }

    public Phase phase() {
        if (cutOver != null) {
            return Phase.CUT_OVER;
        }
        if (targetComplete != null) {
            return Phase.CUTOVER_INTERRUPTED;
        }
        if (copiedSlot != null) {
            return Phase.APPLYING;
        }
        return attempt == 0 ? Phase.NOT_STARTED : Phase.BASE_COPY;
    }

    /**
     * Whether the source may still hold this database's slot and publication (or replica identities pgmigrate set):
     * an attempt began, was not cut over, and was not cleaned up since.
     */
    public boolean sourceObjectsMayRemain() {
        return attempt > 0 && cutOver == null && cleanedAttempt != attempt;
    }

    /** Whether the next start begins a new base copy after an earlier one that did not finish. */
    public boolean startsOver() {
        return phase() == Phase.BASE_COPY;
    }

    /** Reads the record of database {@code db} from {@code store}. */
    public static OnlineProgress read(CheckpointStore store, String db) {
        Keys keys = new Keys(db);
        int attempt = store.get(keys.attempt()).map(Integer::parseInt).orElse(0);
        CheckpointStore copy = keys.attemptStore(store, attempt);
        return new OnlineProgress(attempt,
                store.get(keys.slot()).map(OnlineProgress::decodeSlot).orElse(null),
                store.get(keys.cutoverTarget()).map(CutoverPoints::decode).orElse(null),
                store.get(keys.cutover()).map(CutoverPoints::decode).orElse(null),
                store.get(keys.cleaned()).map(Integer::parseInt).orElse(0),
                attempt > 0 && copy.isDone("db/" + db + "/created"),
                attempt > 0 ? copy.get(targetIdentityKey(db)).orElse(null) : null);
    }

    /** The key under which the engine records the identity of the target database it created (see DatabaseMigration). */
    static String targetIdentityKey(String db) {
        return "db/" + db + "/target-identity";
    }

    /** Slot, publication and snapshot names never contain spaces (they are identifiers the engine chose). */
    static String encodeSlot(SlotSnapshot s) {
        return String.join(" ", s.slotName(), s.publicationName(), s.snapshotName(), s.consistentPoint().toString());
    }

    static SlotSnapshot decodeSlot(String text) {
        String[] p = text.split(" ");
        if (p.length != 4) {
            throw new IllegalStateException("Corrupt replication slot checkpoint '" + text + "'");
        }
        return new SlotSnapshot(p[0], p[1], p[2], Lsn.parse(p[3]));
    }

    /** The checkpoint keys of one database's online migration. */
    record Keys(String db) {
        String attempt() {
            return key("attempt");
        }

        String slot() {
            return key("slot");
        }

        String cutoverTarget() {
            return key("cutover-target");
        }

        String cutover() {
            return key("cutover");
        }

        String cleaned() {
            return key("cleaned");
        }

        String endPointWrites() {
            return key("end-point-writes");
        }

        /** The engine's own checkpoints of base copy attempt {@code n}. */
        CheckpointStore attemptStore(CheckpointStore store, int n) {
            return new PrefixedCheckpointStore(store, key(Integer.toString(n)) + "/");
        }

        private String key(String what) {
            return "online/" + db + "/" + what;
        }
    }
}
