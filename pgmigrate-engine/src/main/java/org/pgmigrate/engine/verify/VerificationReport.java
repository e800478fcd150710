package org.pgmigrate.engine.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * Every table's verdict, the sequences that differ, the objects whose definitions differ (or that one side lacks),
 * and warnings: what was found but does not make the databases differ (today: an object that a source and a target
 * of different major versions print differently).
 *
 * @param samplePercent 100 for a full comparison; less when only a deterministic sample of rows was hashed
 */
public record VerificationReport(String database, List<TableVerification> tables, List<String> sequenceMismatches,
                                 List<String> objectMismatches, List<String> warnings, int samplePercent) {

    public VerificationReport {
        tables = List.copyOf(tables);
        sequenceMismatches = List.copyOf(sequenceMismatches);
        objectMismatches = List.copyOf(objectMismatches);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public boolean equal() {
        return sequenceMismatches.isEmpty() && objectMismatches.isEmpty() && tables.stream().allMatch(TableVerification::equal);
    }

    public List<TableVerification> mismatches() {
        return tables.stream().filter(t -> !t.equal()).toList();
    }

    /** Every difference, one line each: tables, then sequences, then objects. Empty when equal. */
    public List<String> differences() {
        List<String> lines = new ArrayList<>();
        mismatches().forEach(t -> lines.add(t.describe()));
        sequenceMismatches.forEach(s -> lines.add("sequence " + s));
        lines.addAll(objectMismatches);
        return lines;
    }

    /** A message naming every table, sequence and object that differs. */
    public String describeMismatches() {
        return "Verification of database " + database + " found differences:\n  " + String.join("\n  ", differences());
    }
}
