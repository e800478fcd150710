package org.pgmigrate.engine.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A verification after a cutover, read against what the source wrote after the cutover's end point. The cutover
 * applies every change up to the end point; a change committed after it is not migrated, so a table or sequence
 * written on the source after the end point may differ from the target without anything being wrong: that is a
 * warning naming them. A difference that no write after the end point explains (a table nobody wrote to, an object's
 * definition) is a failure. Immutable.
 *
 * @param changedAfterEndPoint what the source wrote between the end point and the end of the verification
 */
public record CutoverVerification(VerificationReport report, SourceWrites.Changes changedAfterEndPoint) {

    /** Whether every difference is explained by writes on the source after the end point. */
    public boolean passed() {
        return failures().isEmpty();
    }

    /** Whether {@code table} differs because the source wrote to it after the end point. */
    public boolean changedOnSource(String table) {
        return changedAfterEndPoint.tables().contains(table);
    }

    /** The differing tables the source wrote to after the end point, by name. */
    public List<String> changedTables() {
        return report.mismatches().stream().map(TableVerification::table).filter(this::changedOnSource).toList();
    }

    /** The differing sequences that moved on the source after the end point, by name as messages show it. */
    public List<String> changedSequences() {
        List<String> names = new ArrayList<>();
        for (String mismatch : report.sequenceMismatches()) {
            movedSequence(mismatch).ifPresent(q -> names.add(q.displayName()));
        }
        return names;
    }

    /** Every difference that writes after the end point do not explain, one line each, as the report words them. */
    public List<String> failures() {
        List<String> lines = new ArrayList<>();
        report.mismatches().stream().filter(t -> !changedOnSource(t.table())).forEach(t -> lines.add(t.describe()));
        report.sequenceMismatches().stream().filter(s -> movedSequence(s).isEmpty())
                .forEach(s -> lines.add("sequence " + s));
        lines.addAll(report.objectMismatches());
        return lines;
    }

    /** The warning naming what changed on the source after the end point and differs, if anything does. */
    public Optional<String> warning() {
        List<String> tables = changedTables();
        List<String> sequences = changedSequences();
        if (tables.isEmpty() && sequences.isEmpty()) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        if (!tables.isEmpty()) {
            parts.add((tables.size() == 1 ? "table " : "tables ") + String.join(", ", tables));
        }
        if (!sequences.isEmpty()) {
            parts.add((sequences.size() == 1 ? "sequence " : "sequences ") + String.join(", ", sequences));
        }
        return Optional.of("The source changed after the cutover's end point: " + String.join(" and ", parts)
                + (tables.size() + sequences.size() == 1 ? " was" : " were") + " written on the source after it. "
                + "Changes committed after the end point are not migrated, so these differ from the target; stop "
                + "writes on the source before the cutover to migrate everything.");
    }

    /** The sequence a mismatch line names ("name: last_value ..."), if the source moved it after the end point. */
    private Optional<SourceWrites.Sequence> movedSequence(String mismatch) {
        return changedAfterEndPoint.sequences().stream().filter(q -> mismatch.startsWith(q.qualifiedName() + ": "))
                .findFirst();
    }
}
