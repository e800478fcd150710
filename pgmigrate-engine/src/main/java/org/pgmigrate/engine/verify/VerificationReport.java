package org.pgmigrate.engine.verify;

import java.util.List;

/** Every table's verdict, and the sequences that differ. */
public record VerificationReport(String database, List<TableVerification> tables, List<String> sequenceMismatches) {

    public VerificationReport {
        tables = List.copyOf(tables);
        sequenceMismatches = List.copyOf(sequenceMismatches);
    }

    public boolean equal() {
        return sequenceMismatches.isEmpty() && tables.stream().allMatch(TableVerification::equal);
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
        return s.toString();
    }
}
