package org.pgmigrate.cli.clone;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.pgmigrate.engine.cdc.CutoverResult;
import org.pgmigrate.engine.cdc.ReplicationStats;
import org.pgmigrate.engine.verify.VerificationReport;

/**
 * What the online demo prints after the copy summary: the source's write load, the change-capture counters, the
 * latency, the cutover and both verifications.
 */
record OnlineSummary(ShopWriteLoad load, Duration peakLatency, CutoverResult cutover, VerificationReport engineProof,
                     List<String> comparerDifferences, long slotsLeft, Duration total) {

    static void print(PrintWriter out, OnlineSummary s) {
        ReplicationStats c = s.cutover().finalStats();
        out.println();
        out.println("Change data capture (shop)");
        out.printf(Locale.ROOT, "  %-36s %,d transactions: %,d inserts, %,d updates, %,d deletes%s%n",
                "Source writes during the migration", s.load().transactions.get(), s.load().inserts.get(),
                s.load().updates.get(), s.load().deletes.get(),
                s.load().retried.get() == 0 ? "" : String.format(Locale.ROOT, " (%,d retried)", s.load().retried.get()));
        out.printf(Locale.ROOT, "  %-36s %,d%n", "Changes captured (incomingChanges)", c.incomingChanges());
        out.printf(Locale.ROOT, "  %-36s %,d: cdcInsertCounter %,d, cdcUpdateCounter %,d, cdcDeleteCounter %,d%n",
                "Changes applied (appliedChanges)", c.appliedChanges(), c.cdcInsertCounter(), c.cdcUpdateCounter(),
                c.cdcDeleteCounter());
        out.printf(Locale.ROOT, "  %-36s highest %.1fs while writing; %ds at cutover%n", "Latency",
                s.peakLatency().toMillis() / 1000.0, c.latencySeconds());
        out.printf(Locale.ROOT, "  %-36s %s (end point %s, applied up to %s, %d sequences from live values)%n",
                "Cutover time", CloneSummary.seconds(s.cutover().took()), s.cutover().endPoint(),
                s.cutover().appliedPoint(), s.cutover().sequencesSynchronized());
        out.printf(Locale.ROOT, "  %-36s %d%n", "Replication slots left on source", s.slotsLeft());
        out.println("  Source rows changed by triggers and cascades (audit_log inserts, order line deletes) are changes"
                + " too, and the copy's snapshot already held the writes before the slot's consistent point.");
        out.println();
        out.printf(Locale.ROOT, "Proven after cutover: the engine compared %d tables (row counts and hashes), the sequences"
                + " and the definitions of objects: identical; an independent comparer re-checked every table, sequence, index,"
                + " constraint, view, materialized view, function, trigger, type, extension, comment and large object:"
                + " %s.%n", s.engineProof().tables().size(),
                s.comparerDifferences().isEmpty() ? "identical" : s.comparerDifferences().size() + " differences");
        out.printf(Locale.ROOT, "Total wall time: %s%n", CloneSummary.seconds(s.total()));
        out.flush();
    }
}
