package org.pgmigrate.engine.verify;

import java.util.List;

/**
 * Every table's verdict, the sequences that differ, and the kinds of objects whose counts differ.
 *
 * @param samplePercent 100 for a full comparison; less when only a deterministic sample of rows was hashed
 */
public record VerificationReport(String database, List<TableVerification> tables, List<String> sequenceMismatches,
                                 List<String> objectMismatches, int samplePercent) {

    public VerificationReport {
        tables = List.copyOf(tables);
        sequenceMismatches = List.copyOf(sequenceMismatches);
        objectMismatches = List.copyOf(objectMismatches);
    }

    public boolean equal() {
        return sequenceMismatches.isEmpty() && objectMismatches.isEmpty() && tables.stream().allMatch(TableVerification::equal);
    }

    public List<TableVerification> mismatches() {
        return tables.stream().filter(t -> !t.equal()).toList();
    }

    /** A message naming every table (and sequence) that differs. */
    public String describeMismatches() {
        StringBuilder s = new StringBuilder("Verification of database " + database + " found differences:");
        for (TableVerification t : mismatches()) {
            s.append("\n  ").append(t.describe());
        }
        for (String seq : sequenceMismatches) {
            s.append("\n  sequence ").append(seq);
        }
        for (String kind : objectMismatches) {
            s.append("\n  ").append(kind);
        }
        return s.toString();
    }
}
