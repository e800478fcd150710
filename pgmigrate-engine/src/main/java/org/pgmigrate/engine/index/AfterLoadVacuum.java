package org.pgmigrate.engine.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * The statement that finishes a loaded table: {@code VACUUM (ANALYZE)} where autovacuum would vacuum the table for
 * its inserts, {@code ANALYZE} elsewhere, and less, or nothing, where that work is already done.
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
 *
 * <p>Why ask first: autovacuum does not wait for this step. A table loaded while the index sessions are busy with a
 * large table's builds waits for them, and an autovacuum worker visiting the new database meanwhile vacuums and
 * analyzes it (measured on 200 tables of about 10,000 rows with jsonb and arrays, behind the builds of a 12M-row
 * table: some 90 tables, each analyzed twice, 60-80 ms a time). So before the statement, a table that would be
 * vacuumed is looked up in the target's statistics: an ANALYZE (autovacuum's, or one an interrupted run made) that
 * ran after its last row was written, with no expression index it could have missed, and a VACUUM after its last
 * insert, are not done again. Smaller tables are not looked up: their lone ANALYZE costs a few milliseconds, and the
 * question (0.2-0.3 ms) asked of each of a schema's thousands of small tables would cost more than the repeats
 * it saves. Only from 15: there the copy's counts reach the shared statistics at its commit ({@code PartCopier}
 * asks for that), before the table gets here; through the statistics collector of older servers they arrive up to
 * half a second later, and a table would look analyzed that is not.
 */
final class AfterLoadVacuum {

    /**
     * For each table: whether an ANALYZE ran after its last change and no expression index is newer than it could
     * know, and whether a VACUUM ran after its last insert. Built-in functions, so that nothing of the target's
     * search path is involved; the table is found by its quoted name.
     */
    private static final String DONE_ALREADY = "SELECT pg_catalog.pg_stat_get_mod_since_analyze(c.oid) = 0"
            + "   AND COALESCE(pg_catalog.pg_stat_get_last_analyze_time(c.oid),"
            + "                pg_catalog.pg_stat_get_last_autoanalyze_time(c.oid)) IS NOT NULL"
            + "   AND NOT EXISTS (SELECT FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indexprs IS NOT NULL),"
            + " pg_catalog.pg_stat_get_ins_since_vacuum(c.oid) = 0"
            + "   AND COALESCE(pg_catalog.pg_stat_get_last_vacuum_time(c.oid),"
            + "                pg_catalog.pg_stat_get_last_autovacuum_time(c.oid)) IS NOT NULL"
            + " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(?)";

    /** Rows from which a table is vacuumed; {@link Long#MAX_VALUE} when the target never vacuums for inserts. */
    private final long insertThreshold;
    /** Whether the statistics are asked what autovacuum did (autovacuum on, a server from 15). */
    private final boolean ask;

    private AfterLoadVacuum(long insertThreshold, boolean ask) {
        this.insertThreshold = insertThreshold;
        this.ask = ask;
    }

    /** Reads the target's insert threshold (13+; -1 there turns insert-driven vacuums off) and whether autovacuum runs. */
    static AfterLoadVacuum of(Connection target) throws SQLException {
        ServerVersion version = ServerVersion.of(target);
        if (!version.atLeast(13)) {
            return new AfterLoadVacuum(Long.MAX_VALUE, false);
        }
        try (Statement s = target.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('autovacuum_vacuum_insert_threshold'),"
                     + " pg_catalog.current_setting('autovacuum')::boolean")) {
            rs.next();
            long threshold = Long.parseLong(rs.getString(1));
            return new AfterLoadVacuum(threshold < 0 ? Long.MAX_VALUE : threshold, rs.getBoolean(2) && version.atLeast(15));
        }
    }

    /**
     * What finishes the table, loaded with {@code rows} rows; empty when an earlier VACUUM and ANALYZE already did.
     * Asks the target's statistics (one query) about a table it would vacuum.
     *
     * @param analyze false for a partition that its partitioned table's ANALYZE will analyze ({@link LateStatistics}):
     *                only the VACUUM, where one is due
     */
    Optional<String> statement(Connection target, Table table, long rows, boolean analyze) throws SQLException {
        boolean vacuum = rows >= insertThreshold;
        if (vacuum && ask) {
            try (PreparedStatement ps = target.prepareStatement(DONE_ALREADY)) {
                ps.setString(1, table.qualifiedName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        analyze = analyze && !rs.getBoolean(1);
                        vacuum = !rs.getBoolean(2);
                    }
                }
            }
        }
        if (vacuum) {
            return Optional.of("VACUUM (" + (analyze ? "ANALYZE, " : "") + "INDEX_CLEANUP OFF) " + table.qualifiedName());
        }
        return analyze ? Optional.of("ANALYZE " + table.qualifiedName()) : Optional.empty();
    }
}
