package org.pgmigrate.engine.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pgmigrate.engine.catalog.Column;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * A partition left to its parent's ANALYZE is still analyzed when the parent is not on the target (a filtered
 * migration that took the partition and not its parent), and one whose parent is there is not analyzed on its own.
 */
@Timeout(120)
class LateStatisticsIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);

    @Test
    void aPartitionWhoseParentIsNotOnTheTargetIsAnalyzedOnItsOwn() throws Exception {
        clusters.source().createDatabase("late");
        clusters.source().execute("late", """
                CREATE TABLE public.p (n int) PARTITION BY RANGE (n);
                CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (0) TO (100000);
                CREATE TABLE public.q (n int) PARTITION BY RANGE (n);
                CREATE TABLE public.q1 PARTITION OF public.q FOR VALUES FROM (0) TO (100000);
                INSERT INTO public.p SELECT g FROM generate_series(1, 3000) g;
                INSERT INTO public.q SELECT g FROM generate_series(1, 3000) g;
                ANALYZE public.p; ANALYZE public.q;
                """);
        // On the target, p1 without its parent; q1 with q.
        clusters.target().createDatabase("late_t");
        clusters.target().execute("late_t", """
                CREATE TABLE public.p1 (n int) WITH (autovacuum_enabled = false);
                INSERT INTO public.p1 SELECT g FROM generate_series(1, 3000) g;
                CREATE TABLE public.q (n int) PARTITION BY RANGE (n);
                CREATE TABLE public.q1 PARTITION OF public.q FOR VALUES FROM (0) TO (100000) WITH (autovacuum_enabled = false);
                INSERT INTO public.q SELECT g FROM generate_series(1, 3000) g;
                """);
        try (Connection source = clusters.source().connect("late"); Connection target = clusters.target().connect("late_t")) {
            Table p1 = table(source, "p1");
            Table q1 = table(source, "q1");
            LateStatistics late = LateStatistics.plan(source, List.of(p1, q1), ServerVersion.of(target));
            assertThat(late.analyzedWithParent(p1)).isTrue();
            assertThat(late.analyzedWithParent(q1)).isTrue();

            assertThat(late.gather(target)).as("ANALYZE q (which does q1) and ANALYZE p1").isEqualTo(2);

            try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT string_agg(relname || ' ' || analyze_count, ', ' ORDER BY relname)"
                            + " FROM pg_catalog.pg_stat_user_tables WHERE relname IN ('p1', 'q1')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("p1 1, q1 1");
            }
        }
    }

    /** 18 analyzes a partitioned table without its partitions ({@code ANALYZE ONLY}): nothing is left to it. */
    @Test
    void from18APartitionedTableIsAnalyzedAloneAndItsPartitionsInTheIndexPhase() throws Exception {
        clusters.source().createDatabase("late18");
        clusters.source().execute("late18", """
                CREATE TABLE public.r (n int) PARTITION BY RANGE (n);
                CREATE TABLE public.r1 PARTITION OF public.r FOR VALUES FROM (0) TO (100000);
                INSERT INTO public.r SELECT g FROM generate_series(1, 3000) g;
                ANALYZE public.r;
                """);
        try (PgCluster target18 = PgCluster.builder().version(18).name("target18").start()) {
            target18.createDatabase("late18");
            target18.execute("late18", """
                    CREATE TABLE public.r (n int) PARTITION BY RANGE (n);
                    CREATE TABLE public.r1 PARTITION OF public.r FOR VALUES FROM (0) TO (100000) WITH (autovacuum_enabled = false);
                    INSERT INTO public.r SELECT g FROM generate_series(1, 3000) g;
                    """);
            try (Connection source = clusters.source().connect("late18"); Connection target = target18.connect("late18")) {
                Table r1 = table(source, "r1");
                LateStatistics late = LateStatistics.plan(source, List.of(r1), ServerVersion.of(target));
                assertThat(late.analyzedWithParent(r1)).isFalse();

                assertThat(late.gather(target)).isEqualTo(1);

                try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT (SELECT count(*) FROM pg_catalog.pg_stats WHERE tablename = 'r' AND inherited),"
                                + " (SELECT analyze_count FROM pg_catalog.pg_stat_user_tables WHERE relname = 'r1')")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the parent's statistics").isPositive();
                    assertThat(rs.getLong(2)).as("r1 not analyzed with it").isZero();
                }
            }
        }
    }

    private static Table table(Connection source, String name) throws Exception {
        try (Statement s = source.createStatement();
             ResultSet rs = s.executeQuery("SELECT 'public." + name + "'::regclass::oid")) {
            rs.next();
            return new Table(rs.getLong(1), "public", name, true, false, 0, 0,
                    List.of(new Column("n", "integer", 23, true, false)), null, List.of(), true, null);
        }
    }
}
