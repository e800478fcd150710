package org.pgmigrate.engine.objects;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.catalog.Sequence;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * Carries sequence positions ({@code last_value}, {@code is_called}) from source to target: identity, serial and
 * standalone sequences alike. Read in batches with one UNION ALL query, written with one {@code setval} per batch.
 * Sequences are not transactional: a read inside a snapshot still sees the current position, so offline copies
 * take them after the data (never behind the rows), and online migrations again at cutover, after writes stopped.
 */
public final class SequenceValues {

    private static final int BATCH = 200;

    /** One sequence's position. */
    public record Position(Sequence sequence, long lastValue, boolean called) {
    }

    private SequenceValues() {
    }

    public static List<Position> read(Connection source, List<Sequence> sequences) throws SQLException {
        List<Position> positions = new ArrayList<>(sequences.size());
        for (int from = 0; from < sequences.size(); from += BATCH) {
            List<Sequence> batch = sequences.subList(from, Math.min(sequences.size(), from + BATCH));
            StringBuilder sql = new StringBuilder();
            for (int i = 0; i < batch.size(); i++) {
                if (i > 0) {
                    sql.append(" UNION ALL ");
                }
                sql.append("SELECT ").append(i).append(", last_value, is_called FROM ").append(batch.get(i).qualifiedName());
            }
            try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
                Position[] ordered = new Position[batch.size()];
                while (rs.next()) {
                    int i = rs.getInt(1);
                    ordered[i] = new Position(batch.get(i), rs.getLong(2), rs.getBoolean(3));
                }
                positions.addAll(List.of(ordered));
            }
        }
        return positions;
    }

    public static void write(Connection target, List<Position> positions) throws SQLException {
        for (int from = 0; from < positions.size(); from += BATCH) {
            List<Position> batch = positions.subList(from, Math.min(positions.size(), from + BATCH));
            String[] names = new String[batch.size()];
            Long[] values = new Long[batch.size()];
            Boolean[] called = new Boolean[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                names[i] = batch.get(i).sequence().qualifiedName();
                values[i] = batch.get(i).lastValue();
                called[i] = batch.get(i).called();
            }
            try (PreparedStatement ps = target.prepareStatement("SELECT pg_catalog.setval(x.name::regclass, x.value, x.called)"
                    + " FROM unnest(?::text[], ?::bigint[], ?::boolean[]) AS x(name, value, called)")) {
                ps.setArray(1, target.createArrayOf("text", names));
                ps.setArray(2, target.createArrayOf("int8", values));
                ps.setArray(3, target.createArrayOf("bool", called));
                ps.executeQuery().close();
            }
        }
    }

    /** For messages: {@code "public"."s" = 42 (called)}. */
    static String describe(Position p) {
        return p.sequence().qualifiedName() + " = " + p.lastValue() + (p.called() ? " (called)" : "");
    }

    static String quoted(Sequence s) {
        return Identifiers.qualified(s.schema(), s.name());
    }
}
