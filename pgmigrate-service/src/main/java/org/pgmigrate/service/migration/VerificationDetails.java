package org.pgmigrate.service.migration;

import java.util.List;

/**
 * The extra property {@code verificationDetails}: the engine's post-copy comparison of source and target, per
 * database and table, with the sequences and the objects (by kind and name) that differ. Immutable.
 *
 * @param status Succeeded (every verified database is equal) or Failed
 */
public record VerificationDetails(String status, List<Database> databases) {

    public VerificationDetails {
        databases = databases == null ? List.of() : List.copyOf(databases);
    }

    /**
     * One database's comparison.
     *
     * @param sequenceMismatches e.g. "public.orders_id_seq: last_value 1000 (called) on the source, 1 on the target"
     * @param objectMismatches   e.g. "missing on the target: index shop.orders_customer (CREATE INDEX ...)", or
     *                           "constraint shop.lines.qty_check: source CHECK ((qty > 0)), target CHECK ((qty >= 0))"
     */
    public record Database(String databaseName, String status, List<Table> tables, List<String> sequenceMismatches,
                           List<String> objectMismatches) {
        public Database {
            tables = tables == null ? List.of() : List.copyOf(tables);
            sequenceMismatches = sequenceMismatches == null ? List.of() : List.copyOf(sequenceMismatches);
            objectMismatches = objectMismatches == null ? List.of() : List.copyOf(objectMismatches);
        }
    }

    /** One table: its row counts on both sides, whether rows and contents matched, and if not, how they differ. */
    public record Table(String table, long sourceRows, long targetRows, boolean equal, String message) {
    }
}
