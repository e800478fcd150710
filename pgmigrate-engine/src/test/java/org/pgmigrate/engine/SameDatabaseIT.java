package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.pg.DatabaseIdentity;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.schema.TargetDatabase;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

/**
 * Source and target are told apart by what the server says, not by the names that reach it: one server under two
 * host names is refused before anything is written (and DROP DATABASE refuses it again on its own); a copy into
 * another database of the same server works; a resumed run never writes into a target database it did not create.
 */
@Timeout(300)
class SameDatabaseIT {

    static PgCluster cluster;
    static PgCluster other;
    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws SQLException {
        cluster = PgCluster.builder().name("one-server").start();
        other = PgCluster.builder().name("other-server").start();
        cluster.createDatabase("victim");
        try (Connection c = cluster.connect("victim")) {
            SampleDatabase.load(c, 2_000);
        }
    }

    @AfterAll
    static void stop() {
        if (other != null) {
            other.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void oneServerUnderTwoHostNamesIsRefusedBeforeAnythingIsWritten() throws Exception {
        long orders = count(cluster, "victim", "shop.orders");
        PgEndpoint viaLocalhost = endpoint(cluster, "localhost", "victim");
        PgEndpoint viaAddress = endpoint(cluster, "127.0.0.1", "victim");
        EngineException e = catchThrowableOfType(() -> engine.migrateDatabase(
                DatabaseJob.of(viaLocalhost, viaAddress, work.resolve("job")).withDropIfExists(true),
                ProgressListener.NONE, CheckpointStore.NONE, new Cancellation()), EngineException.class);
        assertThat(e.error()).isEqualTo(EngineError.SAME_DATABASE);
        assertThat(e.error().userError()).isTrue();
        assertThat(e).hasMessageContaining("The target database 'victim' at 127.0.0.1:" + cluster.port()
                + " is the source database itself").hasMessageContaining("Nothing was written");
        assertThat(count(cluster, "victim", "shop.orders")).as("the source is intact").isEqualTo(orders);
    }

    @Test
    void dropDatabaseProvesOnItsOwnThatItIsNotTheSource() throws Exception {
        try (Connection source = cluster.connect("victim"); Connection maintenance = cluster.connect("postgres")) {
            DatabaseIdentity identity = DatabaseIdentity.of(source);
            EngineException e = catchThrowableOfType(() -> TargetDatabase.drop(maintenance, "victim", identity),
                    EngineException.class);
            assertThat(e.error()).isEqualTo(EngineError.SAME_DATABASE);
            assertThat(e).hasMessageStartingWith("Refusing to drop database 'victim': it is the source database");
        }
        assertThat(count(cluster, "victim", "shop.orders")).isPositive();
    }

    @Test
    void aCopyIntoAnotherDatabaseOfTheSameServerWorks() throws Exception {
        DatabaseReport report = engine.migrateDatabase(DatabaseJob.of(endpoint(cluster, "localhost", "victim"),
                endpoint(cluster, "127.0.0.1", "victim_copy"), work.resolve("copy")), ProgressListener.NONE,
                CheckpointStore.NONE, new Cancellation());
        assertThat(report.verification().equal()).isTrue();
        try (Connection s = cluster.connect("victim"); Connection t = cluster.connect("victim_copy")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void identitiesTellServersApartAndSurviveARestart() throws Exception {
        DatabaseIdentity a;
        DatabaseIdentity b;
        try (Connection c = cluster.connect("victim"); Connection d = other.connect("postgres")) {
            a = DatabaseIdentity.of(c);
            b = DatabaseIdentity.of(d);
        }
        assertThat(a.systemIdentifier()).isNotBlank();
        assertThat(a.sameServer(b)).isFalse();
        assertThat(a.sameServer(a)).isTrue();
        other.restart();
        try (Connection d = other.connect("postgres")) {
            DatabaseIdentity afterRestart = DatabaseIdentity.of(d);
            assertThat(afterRestart.persistentKey()).isEqualTo(b.persistentKey());
            assertThat(afterRestart.sameServer(b)).as("a restarted server is a new running server").isFalse();
        }
    }

    @Test
    void aResumedRunNeverWritesIntoATargetDatabaseItDidNotCreate() throws Exception {
        PgEndpoint from = endpoint(cluster, "127.0.0.1", "victim");
        PgEndpoint to = endpoint(other, "127.0.0.1", "resumed");
        Path journal = work.resolve("journal");
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            engine.migrateDatabase(DatabaseJob.of(from, to, work.resolve("first")), ProgressListener.NONE,
                    checkpoints, new Cancellation());
            assertThat(checkpoints.get("db/victim/target-identity")).isPresent();
        }
        // Someone drops the database and creates another one of the same name, with their own data in it.
        other.execute("postgres", "DROP DATABASE resumed");
        other.createDatabase("resumed");
        other.execute("resumed", "CREATE SCHEMA shop; CREATE TABLE shop.orders (id int); INSERT INTO shop.orders VALUES (7)");
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            EngineException e = catchThrowableOfType(() -> engine.migrateDatabase(
                    DatabaseJob.of(from, to, work.resolve("second")).withDropIfExists(true), ProgressListener.NONE,
                    checkpoints, new Cancellation()), EngineException.class);
            assertThat(e.error()).isEqualTo(EngineError.TARGET_DATABASE_CHANGED);
            assertThat(e).hasMessageContaining("is not the one an earlier run of this migration created")
                    .hasMessageContaining("left it untouched");
        }
        assertThat(count(other, "resumed", "shop.orders")).as("neither dropped nor truncated").isEqualTo(1);
    }

    private static PgEndpoint endpoint(PgCluster c, String host, String db) {
        return PgEndpoint.parse("postgresql://" + c.superuser() + ":" + c.password() + "@" + host + ":" + c.port()
                + "/" + db);
    }

    private static long count(PgCluster c, String db, String table) throws SQLException {
        try (Connection conn = c.connect(db); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
