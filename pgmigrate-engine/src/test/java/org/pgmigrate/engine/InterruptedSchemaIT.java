package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * A schema restore that stopped in the middle resumes: pre-data by dropping the half-restored database the
 * migration proved its own and restoring it again, post-data by leaving out the entries the target already has.
 * (The kill -9 of a real clone process in the middle of pg_restore is CloneCommandIT's; these stop the engine at
 * the same points in-process.)
 */
@Timeout(300)
class InterruptedSchemaIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    /**
     * Every kind of post-data entry, and a materialized view whose refresh (the last step of post-data) fails while
     * a role named {@code refresh_fails} exists on the server it runs on.
     */
    static final String SCHEMA = """
            CREATE ROLE analyst;
            CREATE TABLE a (id int PRIMARY KEY, v text);
            CREATE TABLE b (id int, a_id int REFERENCES a, n int);
            CREATE INDEX b_a_idx ON b (a_id);
            COMMENT ON INDEX b_a_idx IS 'by a';
            CREATE FUNCTION b_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
            CREATE TRIGGER b_touch BEFORE INSERT ON b FOR EACH ROW EXECUTE FUNCTION b_touch();
            CREATE RULE b_notify AS ON UPDATE TO b DO ALSO NOTIFY b;
            ALTER TABLE b ENABLE ROW LEVEL SECURITY;
            CREATE POLICY b_all ON b USING (true);
            CREATE STATISTICS b_stats ON id, n FROM b;
            ALTER STATISTICS b_stats OWNER TO analyst;
            CREATE TABLE p (id int, k int) PARTITION BY RANGE (id);
            CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (1000);
            CREATE INDEX p_k_idx ON p (k);
            CREATE DOMAIN positive AS int;
            ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;
            CREATE PUBLICATION pub_a FOR TABLE a;
            CREATE FUNCTION refresh_gate() RETURNS int LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'refresh_fails') THEN
                RAISE EXCEPTION 'refresh refused by the test';
              END IF;
              RETURN 1;
            END$$;
            CREATE MATERIALIZED VIEW a_count AS SELECT count(*) AS n, refresh_gate() AS gate FROM a;
            INSERT INTO a SELECT g, 'v' || g FROM generate_series(1, 2000) g;
            INSERT INTO b SELECT g, g, g % 7 FROM generate_series(1, 2000) g;
            INSERT INTO p SELECT g, g % 10 FROM generate_series(0, 999) g;
            REFRESH MATERIALIZED VIEW a_count;
            """;

    @BeforeAll
    static void startClusters() {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("kinds");
        source.execute("kinds", SCHEMA);
        target.execute("postgres", "CREATE ROLE analyst");
    }

    @Test
    void anInterruptedPostDataResumesWithoutRestoringTwice() throws Exception {
        DatabaseJob job = job("post_resumed").withKeepOwnership(true);
        Path journal = work.resolve("journal");
        target.execute("postgres", "CREATE ROLE refresh_fails");
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            assertThatThrownBy(() -> engine.migrateDatabase(job, ProgressListener.NONE, checkpoints, new Cancellation()))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error())
                            .isEqualTo(EngineError.SCHEMA_RESTORE_FAILED))
                    .hasMessageContaining("refresh refused by the test");
        } finally {
            target.execute("postgres", "DROP ROLE refresh_fails");
        }
        // The refresh runs last: everything else of post-data is there, and would be "already exists" if replayed.
        try (Connection t = target.connect("post_resumed")) {
            assertThat(names(t, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).containsExactly("b_touch");
            assertThat(names(t, "SELECT conname FROM pg_constraint WHERE contype = 'f'")).containsExactly("b_a_id_fkey");
            assertThat(names(t, "SELECT relispopulated::text FROM pg_class WHERE relname = 'a_count'")).containsExactly("false");
            // The window between pg_restore's CREATE STATISTICS and its ALTER STATISTICS ... OWNER, as a kill leaves it.
            t.createStatement().execute("ALTER STATISTICS b_stats OWNER TO CURRENT_USER");
        }

        List<String> notices = new CopyOnWriteArrayList<>();
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            DatabaseReport report = engine.migrateDatabase(job, noticesInto(notices), checkpoints, new Cancellation());
            assertThat(report.verification().equal()).isTrue();
        }
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("resumed an interrupted one")
                .contains("entries it had restored were kept"));
        try (Connection s = source.connect("kinds"); Connection t = target.connect("post_resumed")) {
            DatabaseComparer.assertEqual(s, t);
            for (String sql : List.of(
                    "SELECT polname FROM pg_policy",
                    "SELECT rulename FROM pg_rewrite WHERE rulename <> '_RETURN'",
                    "SELECT stxname || ' ' || pg_get_userbyid(stxowner) FROM pg_statistic_ext",
                    "SELECT pubname || ' ' || prrelid::regclass FROM pg_publication_rel JOIN pg_publication p ON p.oid = prpubid",
                    "SELECT conname FROM pg_constraint WHERE contypid <> 0",
                    "SELECT relname || ' ' || relispopulated FROM pg_class WHERE relname = 'a_count'",
                    "SELECT c.relname || ' of ' || p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                            + " JOIN pg_class p ON p.oid = i.inhparent WHERE c.relkind = 'i'")) {
                assertThat(names(t, sql)).as(sql).isNotEmpty().isEqualTo(names(s, sql));
            }
            assertThat(names(t, "SELECT stxname || ' ' || pg_get_userbyid(stxowner) FROM pg_statistic_ext"))
                    .containsExactly("b_stats analyst");
        }
    }

    @Test
    void aPreDataStoppedBeforeItsCheckpointIsRestoredAgainIntoANewDatabase() throws Exception {
        DatabaseJob job = job("pre_redone");
        Path journal = work.resolve("journal");
        long firstOid;
        try (DirectoryCheckpointStore real = DirectoryCheckpointStore.open(journal)) {
            assertThatThrownBy(() -> engine.migrateDatabase(job, ProgressListener.NONE, crashingAt(real, "/pre-data"),
                    new Cancellation())).hasMessageContaining("simulated crash");
            assertThat(real.isDone("db/kinds/created")).isTrue();
            assertThat(real.isDone("db/kinds/pre-data")).isFalse();
        }
        try (Connection t = target.connect("postgres")) {
            firstOid = oidOf(t, "pre_redone");
        }
        try (Connection t = target.connect("pre_redone")) {
            assertThat(names(t, "SELECT relname FROM pg_class WHERE relname = 'b'")).containsExactly("b");
        }

        List<String> notices = new CopyOnWriteArrayList<>();
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            engine.migrateDatabase(job, noticesInto(notices), checkpoints, new Cancellation());
        }
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("half-restored database")
                .contains("dropped and created again"));
        try (Connection t = target.connect("postgres")) {
            assertThat(oidOf(t, "pre_redone")).as("a new database").isNotEqualTo(firstOid);
        }
        try (Connection s = source.connect("kinds"); Connection t = target.connect("pre_redone")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void aHalfRestoredDatabaseReplacedByAnotherIsNeverDropped() throws Exception {
        DatabaseJob job = job("pre_replaced");
        Path journal = work.resolve("journal");
        try (DirectoryCheckpointStore real = DirectoryCheckpointStore.open(journal)) {
            assertThatThrownBy(() -> engine.migrateDatabase(job, ProgressListener.NONE, crashingAt(real, "/pre-data"),
                    new Cancellation())).hasMessageContaining("simulated crash");
        }
        // While pgmigrate was down, someone dropped that database and made one of the same name.
        target.execute("postgres", "DROP DATABASE pre_replaced");
        target.createDatabase("pre_replaced");
        target.execute("pre_replaced", "CREATE TABLE precious (x int); INSERT INTO precious VALUES (42)");

        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            assertThatThrownBy(() -> engine.migrateDatabase(job, ProgressListener.NONE, checkpoints, new Cancellation()))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error())
                            .isEqualTo(EngineError.TARGET_DATABASE_CHANGED))
                    .hasMessageContaining("is not the one an earlier run of this migration created");
        }
        try (Connection t = target.connect("pre_replaced")) {
            assertThat(names(t, "SELECT x::text FROM precious")).containsExactly("42");
        }
    }

    /**
     * pg_dump runs while the target database is created: when it fails, the database this run created is dropped
     * again, and nothing of the migration is left on the target.
     */
    @Test
    void aFailedSchemaDumpLeavesNoDatabaseBehind() throws Exception {
        Path real = Path.of("/usr/lib/postgresql/15/bin");
        Path tools = java.nio.file.Files.createDirectories(work.resolve("failing-pg_dump"));
        Path pgDump = tools.resolve("pg_dump");
        java.nio.file.Files.writeString(pgDump, """
                #!/bin/sh
                [ "$1" = --version ] && exec %s --version
                echo "pg_dump: error: refused by the test" >&2
                exit 1
                """.formatted(real.resolve("pg_dump")));
        pgDump.toFile().setExecutable(true);
        Path pgRestore = tools.resolve("pg_restore");
        java.nio.file.Files.writeString(pgRestore, "#!/bin/sh\nexec %s \"$@\"\n".formatted(real.resolve("pg_restore")));
        pgRestore.toFile().setExecutable(true);
        Engine failingDump = new Engine(EngineSettings.defaults().withToolSearchPath(List.of(tools)));

        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(work.resolve("journal"))) {
            assertThatThrownBy(() -> failingDump.migrateDatabase(job("dump_failed"), ProgressListener.NONE, checkpoints,
                    new Cancellation()))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error())
                            .isEqualTo(EngineError.SCHEMA_RESTORE_FAILED))
                    .hasMessageContaining("refused by the test");
            assertThat(checkpoints.get("db/kinds/created")).hasValue("dropped after a failed schema dump");
        }
        try (Connection t = target.connect("postgres")) {
            assertThat(names(t, "SELECT datname FROM pg_database WHERE datname = 'dump_failed'")).isEmpty();
        }
    }

    /** A checkpoint store whose process "dies" when the step ending in {@code suffix} is about to be marked done. */
    private static CheckpointStore crashingAt(CheckpointStore real, String suffix) {
        return CrashingCheckpoints.of(real, (key, value) -> key.endsWith(suffix) && value.equals("done"), key -> false);
    }

    private static ProgressListener noticesInto(List<String> notices) {
        return new ProgressListener() {
            @Override
            public void notice(String database, String message) {
                notices.add(message);
            }
        };
    }

    private static long oidOf(Connection c, String db) throws SQLException {
        List<String> oid = names(c, "SELECT oid::text FROM pg_database WHERE datname = '" + db + "'");
        assertThat(oid).hasSize(1);
        return Long.parseLong(oid.get(0));
    }

    private static List<String> names(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql + " ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private DatabaseJob job(String targetDb) {
        return DatabaseJob.of(PgEndpoint.parse(source.uri("kinds")), PgEndpoint.parse(target.uri(targetDb)),
                work.resolve(targetDb)).withCopy(CopyOptions.defaults().withJobs(2, 2));
    }
}
