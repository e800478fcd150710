package org.pgmigrate.engine.index;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * The statement that finishes a loaded table: {@code VACUUM (ANALYZE)} where autovacuum would vacuum the table for
 * its inserts, {@code ANALYZE} elsewhere.
 *
 * <p>Why VACUUM: a table filled by COPY keeps its insert counter ({@code n_ins_since_vacuum}), and on 13+ autovacuum
 * vacuums a table once that counter passes {@code autovacuum_vacuum_insert_threshold} (plus a fraction of the
 * table): without it, every large enough table was vacuumed by autovacuum during the migration and after it said
 * done. Only a VACUUM resets the counter. On a table loaded by {@code COPY FREEZE} (every whole table but the small
 * ones a fresh target proves empty, which a plain COPY loads) the heap pages are already all-visible and all-frozen,
 * so this VACUUM skips them; on the others it marks them all-visible, which under 1 MB is a few pages. FREEZE would
 * add nothing on frozen pages and rewrite the pages of a table loaded in ranges.
 *
 * <p>Why not VACUUM every table: each VACUUM command ends by scanning the whole of {@code pg_class} to update the
 * database's frozen horizon, so on a schema of thousands of tables a VACUUM per table costs time that grows with the
 * square of their number (measured: 541 tables, +6 CPU-seconds on the target). A table with fewer rows than the
 * insert threshold never gets an insert-driven autovacuum, and its ANALYZE already resets what would drive an
 * autoanalyze; nor does any table on 11 and 12, which have no insert-driven autovacuum. (A per-table
 * {@code autovacuum_vacuum_insert_threshold} is not consulted: such a table is at worst vacuumed by autovacuum.)
 *
 * <p>Why {@code INDEX_CLEANUP OFF}: with no dead rows to remove, the only index work a VACUUM does is the access
 * methods' cleanup pass, which for GIN, GiST, SP-GiST and BRIN scans the whole index that was just built (measured:
 * 0.1-0.2 s for a 400k-row table with a GIN index, against 2 ms with the option). The indexes are new, so there is
 * nothing for that pass to clean.
 */
final class AfterLoadVacuum {

    /** Rows from which a table is vacuumed; {@link Long#MAX_VALUE} when the target never vacuums for inserts. */
    private final long insertThreshold;

    private AfterLoadVacuum(long insertThreshold) {
        this.insertThreshold = insertThreshold;
    }

    /** Reads the target's insert threshold (13+; -1 there turns insert-driven vacuums off). */
    static AfterLoadVacuum of(Connection target) throws SQLException {
        if (!ServerVersion.of(target).atLeast(13)) {
            return new AfterLoadVacuum(Long.MAX_VALUE);
        }
        try (Statement s = target.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('autovacuum_vacuum_insert_threshold')")) {
            rs.next();
            long threshold = Long.parseLong(rs.getString(1));
            return new AfterLoadVacuum(threshold < 0 ? Long.MAX_VALUE : threshold);
        }
    }

    String statement(Table table, long rows) {
        return rows >= insertThreshold ? "VACUUM (ANALYZE, INDEX_CLEANUP OFF) " + table.qualifiedName()
                : "ANALYZE " + table.qualifiedName();
    }
}
