package org.pgmigrate.engine.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pgmigrate.engine.catalog.Column;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * The statement that finishes a loaded table leaves out what the target's statistics show done since the load: an
 * ANALYZE after its last change (autovacuum's, or one an interrupted run made; here a manual one stands in for it)
 * and a VACUUM after its last insert. Modifications are committed with the statistics flushed at commit, as the
 * copy does, so what this test reads is what the index phase would read.
 */
@Timeout(120)
class AfterLoadVacuumIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster target;

    @BeforeAll
    static void createDatabase() {
        target = clusters.target();
        target.createDatabase("finish");
    }

    @Test
    void aFreshlyLoadedTableIsVacuumedAndAnalyzed() throws Exception {
        try (Connection c = target.connect("finish")) {
            Table t = loaded(c, "fresh", 2000);
            assertThat(statement(c, t, 2000)).contains("VACUUM (ANALYZE, INDEX_CLEANUP OFF) \"public\".\"fresh\"");
        }
    }

    @Test
    void nothingIsDoneAgainOnATableVacuumedAndAnalyzedSinceItsLoad() throws Exception {
        try (Connection c = target.connect("finish")) {
            Table t = loaded(c, "done_already", 2000);
            run(c, "VACUUM (ANALYZE) public.done_already");
            assertThat(statement(c, t, 2000)).isEmpty();

            modify(c, "UPDATE public.done_already SET v = v || 'x' WHERE id = 1");
            assertThat(statement(c, t, 2000)).as("changed since its ANALYZE, no insert since its VACUUM")
                    .contains("ANALYZE \"public\".\"done_already\"");
            modify(c, "INSERT INTO public.done_already VALUES (100000, 'late')");
            assertThat(statement(c, t, 2001)).contains("VACUUM (ANALYZE, INDEX_CLEANUP OFF) \"public\".\"done_already\"");
        }
    }

    @Test
    void anAnalyzedTableIsOnlyVacuumedAndAVacuumedOneOnlyAnalyzed() throws Exception {
        try (Connection c = target.connect("finish")) {
            Table analyzed = loaded(c, "analyzed_only", 2000);
            run(c, "ANALYZE public.analyzed_only");
            assertThat(statement(c, analyzed, 2000)).contains("VACUUM (INDEX_CLEANUP OFF) \"public\".\"analyzed_only\"");

            Table vacuumed = loaded(c, "vacuumed_only", 2000);
            run(c, "VACUUM public.vacuumed_only");
            assertThat(statement(c, vacuumed, 2000)).contains("ANALYZE \"public\".\"vacuumed_only\"");
        }
    }

    /** ANALYZE also gathers statistics on index expressions; one run before the index existed has none for it. */
    @Test
    void aTableWithAnExpressionIndexIsAnalyzedAgain() throws Exception {
        try (Connection c = target.connect("finish")) {
            Table t = loaded(c, "by_expression", 2000);
            run(c, "VACUUM (ANALYZE) public.by_expression");
            run(c, "CREATE INDEX ON public.by_expression (lower(v))");
            assertThat(statement(c, t, 2000)).contains("ANALYZE \"public\".\"by_expression\"");
        }
    }

    /** A table too small to be vacuumed is analyzed without asking: cheaper to repeat than to ask for thousands. */
    @Test
    void aSmallTableIsAnalyzedWithoutAsking() throws Exception {
        try (Connection c = target.connect("finish")) {
            Table t = loaded(c, "small", 500);
            run(c, "ANALYZE public.small");
            assertThat(statement(c, t, 500)).contains("ANALYZE \"public\".\"small\"");
        }
    }

    @Test
    void anOddNameIsFound() throws Exception {
        try (Connection c = target.connect("finish")) {
            run(c, "CREATE SCHEMA \"we.ird\"");
            run(c, "CREATE TABLE \"we.ird\".\"Ta\"\"ble\" (id int, v text) WITH (autovacuum_enabled = false)");
            modify(c, "INSERT INTO \"we.ird\".\"Ta\"\"ble\" SELECT g, 'v' FROM generate_series(1, 2000) g");
            run(c, "VACUUM (ANALYZE) \"we.ird\".\"Ta\"\"ble\"");
            Table t = table("we.ird", "Ta\"ble");
            assertThat(statement(c, t, 2000)).isEmpty();
        }
    }

    private static Optional<String> statement(Connection c, Table t, long rows) throws SQLException {
        return AfterLoadVacuum.of(c).statement(c, t, rows, true);
    }

    private static Table loaded(Connection c, String name, int rows) throws SQLException {
        // Autovacuum kept off these tables, so that only the test's own VACUUM and ANALYZE show in the statistics.
        run(c, "CREATE TABLE public." + name + " (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = false)");
        modify(c, "INSERT INTO public." + name + " SELECT g, 'v' || g FROM generate_series(1, " + rows + ") g");
        return table("public", name);
    }

    private static Table table(String schema, String name) {
        return new Table(0, schema, name, false, false, 0, 0, List.of(new Column("id", "integer", 23, true, false)),
                null, List.of(), true, null);
    }

    /** Commits a change with its counts in the shared statistics at commit, as the copy's sessions do. */
    private static void modify(Connection c, String sql) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute(sql);
            s.execute("SELECT pg_catalog.pg_stat_force_next_flush()");
        }
        c.commit();
        c.setAutoCommit(true);
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
