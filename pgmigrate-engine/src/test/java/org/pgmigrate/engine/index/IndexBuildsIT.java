package org.pgmigrate.engine.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.catalog.Column;
import org.pgmigrate.engine.catalog.Index;
import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.engine.snapshot.DatabaseSessions;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/** The order in which the index sessions take their work. */
@Timeout(120)
class IndexBuildsIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);

    /**
     * A table whose builds are done is finished (statistics, constraints) before the builds still queued for other
     * tables: one index session, a small table's build queued before a larger table's three, and the small table is
     * finished while none of the larger one's indexes exist yet (in arrival order it would wait for all three).
     */
    @Test
    void aTableWhoseIndexesAreBuiltIsFinishedBeforeOtherTablesBuilds() throws Exception {
        PgCluster target = clusters.target();
        target.createDatabase("index_order");
        target.execute("index_order", """
                CREATE TABLE public.small (id int, v text);
                INSERT INTO public.small SELECT g, 'v' FROM generate_series(1, 100) g;
                CREATE TABLE public.big (a int, b int, c int);
                INSERT INTO public.big SELECT g, g % 7, g % 11 FROM generate_series(1, 20000) g;
                """);
        PgEndpoint endpoint = PgEndpoint.parse(target.uri("index_order"));
        List<String> finished = Collections.synchronizedList(new ArrayList<>());
        try (Connection look = target.connect("index_order")) {
            ProgressListener listener = new ProgressListener() {
                @Override
                public void indexesBuilt(String database, String table, int indexes, Duration took) {
                    finished.add(table + " with " + indexesOf(look, "big") + " of big's indexes built");
                }
            };
            IndexBuilds builds = new IndexBuilds(new DatabaseSessions(new PgConnector(), endpoint, endpoint, null), 1,
                    "64MB", true, "index_order", listener, CheckpointStore.NONE, new Cancellation());
            Table small = table("small");
            Table big = table("big");
            builds.submit(small, List.of(index(small, "small_id", "id")), stats(small, 100));
            builds.submit(big, List.of(index(big, "big_a", "a"), index(big, "big_b", "b"), index(big, "big_c", "c")),
                    stats(big, 20000));
            builds.start();
            builds.finish();
        }

        assertThat(finished).containsExactly("public.small with 0 of big's indexes built",
                "public.big with 3 of big's indexes built");
    }

    private static Table table(String name) {
        return new Table(0, "public", name, false, false, 0, 0, List.of(new Column("id", "integer", 23, true, false)),
                null, List.of(), true, null);
    }

    private static Index index(Table table, String name, String column) {
        return new Index(0, 0, "public", name, "CREATE INDEX " + name + " ON " + table.qualifiedName() + " USING btree ("
                + column + ")", null, false, false);
    }

    private static TableStats stats(Table table, long rows) {
        return new TableStats(table.displayName(), rows, 0, 1, Duration.ZERO, Duration.ZERO);
    }

    private static long indexesOf(Connection c, String table) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FROM pg_catalog.pg_index WHERE indrelid = 'public." + table + "'::regclass")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
