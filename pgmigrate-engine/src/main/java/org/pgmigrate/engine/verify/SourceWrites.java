package org.pgmigrate.engine.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * What a source database had written at one moment: each table's cumulative count of rows inserted, updated and
 * deleted ({@code pg_stat_user_tables}), and each sequence's position ({@code pg_sequences}). Two readings tell
 * which tables and sequences were written between them, which is how a verification after a cutover tells a table
 * that the source changed after the end point (its difference is expected: those changes are not migrated) from a
 * table that differs although nothing was written to it (a real failure). The end point cannot be verified
 * against directly: no snapshot of the source at that WAL position exists once the slot is gone.
 *
 * <p>The statistics are reported by each backend after its transactions end, with a delay (PostgreSQL 15+: at most
 * once a second while the backend is busy, and within 10 s once it is idle; older servers through the statistics
 * collector, about half a second). So a write just before a reading can be counted after it, and a reading taken
 * right after a write can miss it; the later the second reading, the surer. Counters that went down (a statistics
 * reset, a crash) count as written: nothing can be proven then. Immutable.
 *
 * @param tables    rows written per table, keyed as {@link TableVerification#table()} names tables (schema.name)
 * @param sequences each sequence's position
 */
public record SourceWrites(Map<String, Long> tables, List<Sequence> sequences) {

    /**
     * A sequence and its {@code last_value} as text ("null" before its first use, or when the user may not read it).
     */
    public record Sequence(String schema, String name, String lastValue) {

        /** As sequence mismatches start: the quoted qualified name. */
        public String qualifiedName() {
            return Identifiers.qualified(schema, name);
        }

        /** For messages: quoted only where a reader needs it. */
        public String displayName() {
            return Identifiers.forMessage(schema, name);
        }
    }

    /** The tables (schema.name) and the sequences written between two readings, sorted by name. */
    public record Changes(Set<String> tables, List<Sequence> sequences) {
        public Changes {
            tables = Collections.unmodifiableSortedSet(new TreeSet<>(tables));
            sequences = sequences.stream().sorted(Comparator.comparing(Sequence::qualifiedName)).toList();
        }

        public boolean none() {
            return tables.isEmpty() && sequences.isEmpty();
        }
    }

    public SourceWrites {
        tables = Map.copyOf(tables == null ? Map.of() : tables);
        sequences = List.copyOf(sequences == null ? List.of() : sequences);
    }

    /** Reads the counters and sequence positions of the database {@code source} is connected to (PostgreSQL 10+). */
    public static SourceWrites read(Connection source) throws SQLException {
        Map<String, Long> tables = new TreeMap<>();
        List<Sequence> sequences = new ArrayList<>();
        try (Statement s = source.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT schemaname, relname, n_tup_ins + n_tup_upd + n_tup_del"
                    + " FROM pg_catalog.pg_stat_user_tables")) {
                while (rs.next()) {
                    tables.put(rs.getString(1) + "." + rs.getString(2), rs.getLong(3));
                }
            }
            // last_value is null before the first nextval, and when the user may not read the sequence.
            try (ResultSet rs = s.executeQuery("SELECT schemaname, sequencename, last_value::text"
                    + " FROM pg_catalog.pg_sequences")) {
                while (rs.next()) {
                    sequences.add(new Sequence(rs.getString(1), rs.getString(2), Objects.toString(rs.getString(3))));
                }
            }
        }
        return new SourceWrites(tables, sequences);
    }

    /**
     * The text form {@link #decode} reads (to keep a reading in a checkpoint): one line per table ({@code t}, name,
     * count) and per sequence ({@code s}, schema, name, value), fields separated by tabs; names may hold any
     * character, so backslash, tab, newline and carriage return are escaped.
     */
    public String encode() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(tables).forEach((table, writes) -> text.append("t\t").append(escape(table)).append('\t')
                .append(writes).append('\n'));
        for (Sequence q : sequences) {
            text.append("s\t").append(escape(q.schema())).append('\t').append(escape(q.name())).append('\t')
                    .append(escape(q.lastValue())).append('\n');
        }
        return text.toString();
    }

    /** Reads what {@link #encode()} wrote; throws {@link IllegalArgumentException} on anything else. */
    public static SourceWrites decode(String text) {
        Map<String, Long> tables = new TreeMap<>();
        List<Sequence> sequences = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f[0].equals("t") && f.length == 3) {
                try {
                    tables.put(unescape(f[1]), Long.parseLong(f[2]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Not a write count in '" + line + "'", e);
                }
            } else if (f[0].equals("s") && f.length == 4) {
                sequences.add(new Sequence(unescape(f[1]), unescape(f[2]), unescape(f[3])));
            } else {
                throw new IllegalArgumentException("Not a line of source write counters: '" + line + "'");
            }
        }
        return new SourceWrites(tables, sequences);
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String v) {
        StringBuilder out = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == v.length()) {
                throw new IllegalArgumentException("Dangling escape in '" + v + "'");
            }
            switch (v.charAt(i)) {
                case '\\' -> out.append('\\');
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                default -> throw new IllegalArgumentException("Unknown escape \\" + v.charAt(i) + " in '" + v + "'");
            }
        }
        return out.toString();
    }

    /** What was written between {@code earlier} and this reading: a table or sequence that is new counts too. */
    public Changes since(SourceWrites earlier) {
        Set<String> writtenTables = new TreeSet<>();
        tables.forEach((table, writes) -> {
            Long before = earlier.tables().get(table);
            if (before == null || !before.equals(writes)) {
                writtenTables.add(table);
            }
        });
        Map<String, String> before = new HashMap<>();
        earlier.sequences().forEach(q -> before.put(q.qualifiedName(), q.lastValue()));
        List<Sequence> movedSequences = sequences.stream()
                .filter(q -> !q.lastValue().equals(before.get(q.qualifiedName()))).toList();
        return new Changes(writtenTables, movedSequences);
    }
}
