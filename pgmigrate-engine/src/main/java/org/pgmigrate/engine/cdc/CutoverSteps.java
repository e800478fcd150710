package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pgmigrate.engine.catalog.Sequence;
import org.pgmigrate.engine.objects.SequenceValues;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.ServerVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finishing steps of a cutover that touch both servers: sequences from their live source values, and identity
 * columns that apply had to make writable. Stateless.
 */
final class CutoverSteps {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverSteps.class);
    private static final String USER_SCHEMAS =
            "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'";

    private CutoverSteps() {
    }

    /**
     * Sets every target sequence that also exists on the source to the source's current {@code last_value} and
     * {@code is_called}, read now (writes have stopped), not from the copy's snapshot. Returns how many were set.
     * Runs while the source takes no writes, so it costs a fixed number of round trips, not three per sequence:
     * the batched reads and writes of {@link SequenceValues}.
     */
    static int synchronizeSequences(Connection source, Connection target) throws SQLException {
        List<Sequence> onSource = sequences(source);
        Set<Sequence> onTarget = new HashSet<>(sequences(target));
        List<Sequence> both = new ArrayList<>();
        for (Sequence sequence : onSource) {
            if (onTarget.contains(sequence)) {
                both.add(sequence);
            } else {
                LOG.warn("Sequence {} exists on the source but not on the target; not synchronized",
                        sequence.qualifiedName());
            }
        }
        SequenceValues.write(target, SequenceValues.read(source, both));
        return both.size();
    }

    private static List<Sequence> sequences(Connection c) throws SQLException {
        List<Sequence> sequences = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                        + " ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND " + USER_SCHEMAS + " ORDER BY 1, 2")) {
            while (rs.next()) {
                sequences.add(new Sequence(rs.getString(1), rs.getString(2)));
            }
        }
        return sequences;
    }

    /**
     * Switches target identity columns back to GENERATED ALWAYS where the source has ALWAYS and the target BY
     * DEFAULT (apply switches them so that replicated UPDATEs can set them). Returns how many it switched.
     */
    static int restoreIdentityAlways(Connection source, Connection target) throws SQLException {
        if (!ServerVersion.of(source).atLeast(10)) {
            return 0; // identity columns came with 10
        }
        List<String[]> always = new ArrayList<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT n.nspname, c.relname, a.attname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c"
                        + " ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE a.attidentity = 'a'"
                        + " AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND " + USER_SCHEMAS)) {
            while (rs.next()) {
                always.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        int done = 0;
        try (PreparedStatement check = target.prepareStatement("SELECT a.attidentity::text FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ? AND a.attname = ? AND NOT a.attisdropped");
             Statement alter = target.createStatement()) {
            for (String[] col : always) {
                check.setString(1, col[0]);
                check.setString(2, col[1]);
                check.setString(3, col[2]);
                try (ResultSet rs = check.executeQuery()) {
                    if (rs.next() && "d".equals(rs.getString(1))) {
                        alter.execute("ALTER TABLE " + Identifiers.qualified(col[0], col[1]) + " ALTER COLUMN "
                                + Identifiers.quote(col[2]) + " SET GENERATED ALWAYS");
                        done++;
                    }
                }
            }
        }
        return done;
    }

    /**
     * Refreshes the target's populated materialized views: changes are not replicated into them, so after change
     * capture they would show the data of the base copy. In creation order, which is dependency order for views
     * built on views. Returns how many it refreshed.
     */
    static int refreshMaterializedViews(Connection target) throws SQLException {
        List<String> views = new ArrayList<>();
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid ="
                        + " c.relnamespace WHERE c.relkind = 'm' AND c.relispopulated AND " + USER_SCHEMAS
                        + " ORDER BY c.oid")) {
            while (rs.next()) {
                views.add(Identifiers.qualified(rs.getString(1), rs.getString(2)));
            }
        }
        int done = 0;
        try (Statement s = target.createStatement()) {
            for (String view : views) {
                s.execute("REFRESH MATERIALIZED VIEW " + view);
                done++;
            }
        }
        return done;
    }
}
