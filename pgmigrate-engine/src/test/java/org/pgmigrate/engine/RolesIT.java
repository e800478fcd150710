package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.objects.RoleCopy;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

@Timeout(300)
class RolesIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() {
        source = clusters.source();
        target = clusters.target();
        source.execute("postgres", """
                CREATE ROLE app_owner LOGIN PASSWORD 'owner-pw-123';
                CREATE ROLE app_reader NOLOGIN;
                CREATE ROLE "Mixed Role" NOLOGIN;
                GRANT app_reader TO app_owner;
                CREATE ROLE sneaky_admin SUPERUSER LOGIN PASSWORD 'admin-pw';
                """);
        source.createDatabase("app");
        source.execute("app", """
                CREATE SCHEMA app AUTHORIZATION app_owner;
                CREATE TABLE app.t (id int PRIMARY KEY, v text);
                ALTER TABLE app.t OWNER TO app_owner;
                GRANT SELECT ON app.t TO app_reader;
                GRANT SELECT ON app.t TO "Mixed Role";
                INSERT INTO app.t VALUES (1, 'one');
                """);
    }


    @Test
    void withRolesOwnersGrantsAndPasswordsArriveButSuperusersDoNot() throws Exception {
        RoleCopy.Result roles = engine.migrateRoles(endpoint(source, "postgres"), endpoint(target, "postgres"), new Cancellation());
        assertThat(roles.skippedRoles()).extracting(RoleCopy.SkippedRole::name).contains("sneaky_admin", "postgres");
        engine.migrateDatabase(job("app", "app_with_roles").withKeepOwnership(true), ProgressListener.NONE,
                CheckpointStore.NONE, new Cancellation());

        try (Connection t = target.connect("app_with_roles")) {
            assertThat(EdgeCasesIT.query(t, "SELECT tableowner FROM pg_tables WHERE tablename = 't'")).containsExactly("app_owner");
            assertThat(EdgeCasesIT.query(t, "SELECT has_table_privilege('app_reader', 'app.t', 'SELECT'),"
                    + " has_table_privilege('Mixed Role', 'app.t', 'SELECT')")).containsExactly("t", "t");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM pg_roles WHERE rolname = 'sneaky_admin'")).containsExactly("0");
            assertThat(EdgeCasesIT.query(t, "SELECT pg_has_role('app_owner', 'app_reader', 'MEMBER')")).containsExactly("t");
        }
        try (Connection asOwner = DriverManager.getConnection(target.jdbcUrl("app_with_roles"), "app_owner", "owner-pw-123")) {
            assertThat(EdgeCasesIT.query(asOwner, "SELECT v FROM app.t")).containsExactly("one");
        }
    }

    @Test
    void withoutRolesTheTargetUserOwnsEverythingAndNoGrantIsCopied() throws Exception {
        engine.migrateDatabase(job("app", "app_no_roles"), ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());
        try (Connection t = target.connect("app_no_roles")) {
            assertThat(EdgeCasesIT.query(t, "SELECT tableowner FROM pg_tables WHERE tablename = 't'")).containsExactly("postgres");
            assertThat(EdgeCasesIT.query(t, "SELECT relacl IS NULL FROM pg_class WHERE relname = 't'")).containsExactly("t");
            assertThat(EdgeCasesIT.query(t, "SELECT v FROM app.t")).containsExactly("one");
        }
    }

    private DatabaseJob job(String from, String to) {
        return DatabaseJob.of(endpoint(source, from), endpoint(target, to), work.resolve(to));
    }

    private static PgEndpoint endpoint(PgCluster cluster, String db) {
        return PgEndpoint.parse(cluster.uri(db));
    }
}
