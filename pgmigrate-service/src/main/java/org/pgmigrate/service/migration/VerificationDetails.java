package org.pgmigrate.service.migration;

import java.util.List;

/**
 * The extra property {@code verificationDetails}: the post-copy comparison of source and target, per database and
 * table (filled by verification, issue 5). Immutable.
 *
 * @param status Succeeded or Failed
 */
public record VerificationDetails(String status, List<Database> databases) {

    public record Database(String databaseName, String status, List<Table> tables) {
    }

    /** One table: its row counts on both sides and whether the contents matched. */
    public record Table(String table, long sourceRows, long targetRows, boolean equal, String message) {
    }
}
