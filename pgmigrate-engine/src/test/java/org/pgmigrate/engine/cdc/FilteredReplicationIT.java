package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * Online migration with filters: the publication lists only the tables whose rows are migrated, so changes to a
 * table left out (by name or by schema) or kept without rows never reach the target, while changes to the included
 * tables do; a keyless table left out needs no replica identity; a table created during replication in a schema left
 * out does not stop replication.
 */
@Timeout(300)
class FilteredReplicationIT {

    @TempDir
    Path work;

    @Test
    void onlyTheIncludedTablesAreReplicated() throws Exception {
        try (PgCluster source = Testbed.cluster(15, "filtered-source");
             PgCluster target = Testbed.cluster(15, "filtered-target")) {
            source.createDatabase("shop");
            source.execute("shop", """
                    CREATE TABLE public.kept (id int PRIMARY KEY, v text);
                    CREATE TABLE public.skipped (id int PRIMARY KEY, v text);
                    CREATE TABLE public.no_rows (id int PRIMARY KEY, v text);
                    CREATE TABLE public.keyless (v text);
                    CREATE SCHEMA staging;
                    CREATE TABLE staging.raw (id int PRIMARY KEY, v text);
                    INSERT INTO public.kept SELECT g, 'k' FROM generate_series(1, 100) g;
                    INSERT INTO public.skipped SELECT g, 's' FROM generate_series(1, 100) g;
                    INSERT INTO public.no_rows SELECT g, 'n' FROM generate_series(1, 100) g;
                    INSERT INTO staging.raw SELECT g, 'r' FROM generate_series(1, 100) g;
                    """);
            PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
            PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
            TableFilter filter = TableFilter.parse(List.of(), List.of("staging"), List.of(),
                    List.of("public.skipped", "public.keyless"), List.of("public.no_rows"));
            // No allowReplicaIdentityFull: the keyless table is left out, so it needs none.
            ReplicationConfig config = ReplicationConfig.builder("filtered", from, to, work.resolve("spool"))
                    .monitorInterval(Duration.ofMillis(200)).filter(filter).build();
            Engine engine = new Engine(EngineSettings.defaults());
            try (OnlineMigration migration = new OnlineMigration(engine, DatabaseJob.of(from, to, work.resolve("job")),
                    new OnlineReplication(config, new PgConnector()))) {
                migration.start(ProgressListener.NONE, new Cancellation());
                try (Connection s = source.connect("shop")) {
                    assertThat(query(s, "SELECT schemaname || '.' || tablename FROM pg_catalog.pg_publication_tables"
                            + " WHERE pubname = '" + migration.replication().names().publication() + "'"))
                            .containsExactly("public.kept");
                }
                source.execute("shop", """
                        INSERT INTO public.kept SELECT g, 'new' FROM generate_series(101, 110) g;
                        UPDATE public.kept SET v = 'changed' WHERE id <= 5;
                        INSERT INTO public.skipped SELECT g, 'new' FROM generate_series(101, 110) g;
                        INSERT INTO public.no_rows SELECT g, 'new' FROM generate_series(101, 110) g;
                        DELETE FROM public.no_rows WHERE id <= 5;
                        INSERT INTO public.keyless SELECT 'x' FROM generate_series(1, 10) g;
                        UPDATE public.keyless SET v = 'y';
                        INSERT INTO staging.raw SELECT g, 'new' FROM generate_series(101, 110) g;
                        CREATE TABLE staging.late (id int PRIMARY KEY);
                        INSERT INTO staging.late VALUES (1);
                        """);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> migration.stats().appliedChanges() >= 15);
                // A table the filters leave out, created during replication, is not a reason to stop: the monitor
                // checks the publication every second.
                Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> migration.stats().state() == ReplicationState.APPLYING);
                CutoverResult done = migration.cutover(Duration.ofSeconds(120));
                assertThat(done.finalStats().cdcInsertCounter()).isEqualTo(10);
                assertThat(done.finalStats().cdcUpdateCounter()).isEqualTo(5);
                assertThat(done.finalStats().cdcDeleteCounter()).isZero();
            }
            try (Connection t = target.connect("shop")) {
                assertThat(query(t, "SELECT count(*) || ' ' || count(*) FILTER (WHERE v = 'changed') FROM public.kept"))
                        .containsExactly("110 5");
                assertThat(query(t, "SELECT count(*) FROM public.no_rows")).containsExactly("0");
                assertThat(query(t, "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
                        + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"))
                        .containsExactly("public.kept", "public.no_rows");
            }
        }
    }

    private static List<String> query(Connection c, String sql) throws Exception {
        List<String> rows = new java.util.ArrayList<>();
        try (var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
