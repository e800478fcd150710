package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.tools.NewerPgClients;

/**
 * What PostgreSQL 18 changed under a migration, on an 18 source (pg_dump 18 from Debian's sid, see
 * {@link NewerPgClients}) and an 18 target, online so that the base copy and change capture both meet them:
 * virtual generated columns (18's default kind: never copied, never replicated, computed by the target), stored
 * generated columns beside them, NOT NULL constraints with names of their own (18 records them in pg_constraint), and
 * a temporal primary key {@code WITHOUT OVERLAPS} (a GiST-backed key, which the engine cannot attach with
 * {@code USING INDEX} and adds from its definition instead).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Pg18FeaturesIT {

    private static final String SCHEMA = """
            CREATE EXTENSION btree_gist;
            CREATE SCHEMA p18;
            CREATE TABLE p18.items (
                id int PRIMARY KEY,
                qty int CONSTRAINT qty_is_required NOT NULL,
                price numeric(10, 2) NOT NULL,
                total numeric GENERATED ALWAYS AS (qty * price) VIRTUAL,
                total_stored numeric GENERATED ALWAYS AS (qty * price) STORED,
                label text GENERATED ALWAYS AS ('item ' || id) VIRTUAL);
            CREATE TABLE p18.bookings (
                room int NOT NULL,
                during tstzrange NOT NULL,
                guest text,
                CONSTRAINT bookings_pkey PRIMARY KEY (room, during WITHOUT OVERLAPS));
            INSERT INTO p18.items (id, qty, price) SELECT g, g % 7, g * 1.25 FROM generate_series(1, 500) g;
            INSERT INTO p18.bookings SELECT g % 10, tstzrange('2026-01-01'::timestamptz + g * interval '1 day',
                '2026-01-01'::timestamptz + (g + 1) * interval '1 day'), 'guest ' || g FROM generate_series(1, 300) g;
            """;

    @TempDir
    Path work;

    @Test
    void generatedColumnsNamedNotNullsAndTemporalKeysArriveAndReplicate() throws Exception {
        try (PgCluster source = Testbed.cluster(18, "p18-source"); PgCluster target = Testbed.cluster(18, "p18-target")) {
            source.createDatabase("shop");
            source.execute("shop", SCHEMA);
            PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
            PgEndpoint to = PgEndpoint.parse(target.uri("shop"));
            Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(List.of(NewerPgClients.forSource(18))));
            ReplicationConfig config = ReplicationConfig.builder("p18", from, to, work.resolve("spool")).build();
            try (OnlineMigration migration = new OnlineMigration(engine, DatabaseJob.of(from, to, work.resolve("job")),
                    new OnlineReplication(config, new PgConnector()))) {
                DatabaseReport report = migration.start(ProgressListener.NONE, new Cancellation());
                assertThat(report.tables()).hasSize(2);
                source.execute("shop", """
                        INSERT INTO p18.items (id, qty, price) VALUES (501, 3, 9.99), (502, 4, 0.5);
                        UPDATE p18.items SET qty = qty + 1 WHERE id <= 50;
                        DELETE FROM p18.items WHERE id BETWEEN 400 AND 420;
                        INSERT INTO p18.bookings VALUES (99, '[2027-01-01, 2027-01-05)', 'late');
                        UPDATE p18.bookings SET guest = 'moved' WHERE room = 3;
                        DELETE FROM p18.bookings WHERE room = 4;
                        """);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> migration.stats().appliedChanges() >= 2 + 50 + 21 + 1 + 30 + 30);
                migration.cutover(Duration.ofSeconds(120));
            }
            try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
                DatabaseComparer.assertEqual(s, t);
                assertThat(rows(t, "SELECT total::text, total_stored::text, label FROM p18.items WHERE id = 501"))
                        .containsExactly("29.97|29.97|item 501");
                assertThat(rows(t, "SELECT count(*) FROM p18.items WHERE total IS DISTINCT FROM total_stored"))
                        .containsExactly("0");
                assertThat(rows(t, "SELECT attname || ':' || attgenerated::text FROM pg_attribute WHERE attrelid ="
                        + " 'p18.items'::regclass AND attgenerated <> '' ORDER BY attnum"))
                        .containsExactly("total:v", "total_stored:s", "label:v");
                assertThat(rows(t, "SELECT conname FROM pg_constraint WHERE conrelid = 'p18.items'::regclass"
                        + " AND contype = 'n' ORDER BY conname")).contains("qty_is_required");
                assertThat(rows(t, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'bookings_pkey'"))
                        .containsExactly("PRIMARY KEY (room, during WITHOUT OVERLAPS)");
                assertThat(rows(t, "SELECT count(*) FROM p18.bookings WHERE guest = 'moved'")).containsExactly("30");
            }
            try (Connection c = source.connect("postgres")) {
                assertThat(rows(c, "SELECT count(*) FROM pg_replication_slots")).containsExactly("0");
            }
        }
    }

    private static List<String> rows(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new java.util.ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
            return out;
        }
    }
}
