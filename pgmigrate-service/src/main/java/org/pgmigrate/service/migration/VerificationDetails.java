package org.pgmigrate.service.migration;

import java.util.List;

/**
 * The extra property {@code verificationDetails}: the engine's comparison of source and target, per database and
 * table, with the sequences and the objects (by kind and name) that differ, what that comparison covered
 * ({@code scope}), and warnings. Immutable.
 *
 * @param status Succeeded (every verified database passed) or Failed
 */
public record VerificationDetails(String status, List<Database> databases) {

    /** An offline migration's copy, which is the final state of the target. */
    public static final String SCOPE_COPY = "Copy";
    /** An online migration's base copy, under the slot's snapshot, before changes are applied: not the final state. */
    public static final String SCOPE_BASE_COPY = "BaseCopy";
    /** An online migration's comparison of the live source and the target after the database's cutover. */
    public static final String SCOPE_AFTER_CUTOVER = "AfterCutover";

    public VerificationDetails {
        databases = databases == null ? List.of() : List.copyOf(databases);
    }

    /**
     * One database's comparison.
     *
     * @param scope              {@link #SCOPE_COPY}, {@link #SCOPE_BASE_COPY} or {@link #SCOPE_AFTER_CUTOVER}; null in
     *                           entries stored by versions before it existed
     * @param sequenceMismatches e.g. "public.orders_id_seq: last_value 1000 (called) on the source, 1 on the target"
     * @param objectMismatches   e.g. "missing on the target: index shop.orders_customer (CREATE INDEX ...)", or
     *                           "constraint shop.lines.qty_check: source CHECK ((qty > 0)), target CHECK ((qty >= 0))"
     * @param warnings           what was found that does not fail the database: tables and sequences the source
     *                           changed after the cutover's end point, definitions that two majors print differently
     */
    public record Database(String databaseName, String status, List<Table> tables, List<String> sequenceMismatches,
                           List<String> objectMismatches, String scope, List<String> warnings) {
        public Database {
            tables = tables == null ? List.of() : List.copyOf(tables);
            sequenceMismatches = sequenceMismatches == null ? List.of() : List.copyOf(sequenceMismatches);
            objectMismatches = objectMismatches == null ? List.of() : List.copyOf(objectMismatches);
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
        }
    }

    /** One table: its row counts on both sides, whether rows and contents matched, and if not, how they differ. */
    public record Table(String table, long sourceRows, long targetRows, boolean equal, String message) {
    }
}
