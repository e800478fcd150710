package org.pgmigrate.engine.copy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.checkpoint.CheckpointKeys;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * Cuts tables into {@link TablePart}s. A table above the split threshold is cut by ranges of its integer key (an
 * index range scan per part) or, with no such key, by ctid page ranges when the source is PostgreSQL 14 or newer
 * (a TID Range Scan per part; before 14 every part would scan the whole table, so the table stays whole).
 *
 * <p>A table's plan is checkpointed the first time, and a resumed run reuses it exactly: a part's rows are defined
 * by its predicate, so the same predicates mean a finished part is never copied twice. The plan must be durable
 * before any of its parts commits on the target (a table planned whole and loaded, then planned in ranges by a
 * resumed run after its plan was lost, would get its rows twice): the caller syncs the store after planning.
 *
 * <p>Stateless; runs on the snapshot holder's connection.
 */
final class PartPlanner {

    /** Separates the predicates of a checkpointed plan (never appears in SQL we generate). */
    private static final String SEPARATOR = "\u001f";

    private final CopyOptions options;
    private final ServerVersion source;
    private final CheckpointStore checkpoints;
    private final String database;

    PartPlanner(CopyOptions options, ServerVersion source, CheckpointStore checkpoints, String database) {
        this.options = options;
        this.source = source;
        this.checkpoints = checkpoints;
        this.database = database;
    }

    List<TablePart> plan(Connection snapshot, Table table) throws SQLException {
        String key = CheckpointKeys.of("plan", database, table.schema(), table.name());
        Optional<String> earlier = checkpoints.get(key);
        List<String> predicates = earlier.isPresent() ? decode(earlier.get()) : predicates(snapshot, table);
        if (earlier.isEmpty()) {
            // Durable before any part is copied: DataCopy syncs the store once all tables are planned.
            checkpoints.putRedoable(key, encode(predicates));
        }
        List<TablePart> parts = new ArrayList<>(predicates.size());
        long each = Math.max(1, table.bytes() / predicates.size());
        for (int i = 0; i < predicates.size(); i++) {
            parts.add(new TablePart(table, i + 1, predicates.size(), predicates.get(i), each));
        }
        return parts;
    }

    private List<String> predicates(Connection snapshot, Table table) throws SQLException {
        long threshold = options.splitThresholdBytes();
        if (threshold <= 0 || table.bytes() <= threshold || table.extensionFilter() != null) {
            return whole();
        }
        int wanted = (int) Math.min(options.maxPartsPerTable(), (table.bytes() + threshold - 1) / threshold);
        if (wanted < 2) {
            return whole();
        }
        if (table.splitKey() != null) {
            return keyRanges(snapshot, table, wanted);
        }
        if (table.heap() && source.atLeast(14)) {
            return pageRanges(snapshot, table, wanted);
        }
        return whole();
    }

    private static List<String> whole() {
        return Arrays.asList((String) null);
    }

    private static List<String> keyRanges(Connection snapshot, Table table, int wanted) throws SQLException {
        String key = Identifiers.quote(table.splitKey().name());
        long min;
        long max;
        try (Statement s = snapshot.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(" + key + ")::bigint, max(" + key + ")::bigint FROM ONLY "
                     + table.qualifiedName())) {
            rs.next();
            min = rs.getLong(1);
            if (rs.wasNull()) {
                return whole();
            }
            max = rs.getLong(2);
        }
        // Divide in BigInteger-free steps: the span of a bigint key can exceed Long.MAX_VALUE.
        double span = (double) max - (double) min + 1;
        int parts = (int) Math.min(wanted, Math.max(1, span));
        if (parts < 2) {
            return whole();
        }
        List<String> predicates = new ArrayList<>(parts);
        long lower = min;
        for (int i = 1; i <= parts; i++) {
            if (i == parts) {
                predicates.add(key + " >= " + lower);
            } else {
                long upper = (long) (min + span * i / parts);
                String range = (i == 1 ? "" : key + " >= " + lower + " AND ") + key + " < " + upper;
                predicates.add(range);
                lower = upper;
            }
        }
        return predicates;
    }

    private static List<String> pageRanges(Connection snapshot, Table table, int wanted) throws SQLException {
        long pages;
        try (Statement s = snapshot.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.pg_relation_size(" + table.oid()
                     + ") / current_setting('block_size')::bigint")) {
            rs.next();
            pages = rs.getLong(1);
        }
        int parts = (int) Math.min(wanted, pages);
        if (parts < 2) {
            return whole();
        }
        List<String> predicates = new ArrayList<>(parts);
        long lower = 0;
        for (int i = 1; i <= parts; i++) {
            long upper = pages * i / parts;
            // The last part is open-ended: pages added after the size was read still belong to some part.
            predicates.add(i == parts ? "ctid >= '(" + lower + ",0)'::tid"
                    : (i == 1 ? "" : "ctid >= '(" + lower + ",0)'::tid AND ") + "ctid < '(" + upper + ",0)'::tid");
            lower = upper;
        }
        return predicates;
    }

    private static String encode(List<String> predicates) {
        return String.join(SEPARATOR, predicates.stream().map(p -> p == null ? "" : p).toList());
    }

    private static List<String> decode(String text) {
        List<String> out = new ArrayList<>();
        for (String p : text.split(SEPARATOR, -1)) {
            out.add(p.isEmpty() ? null : p);
        }
        return out;
    }
}
