package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.Main;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

@Timeout(300)
class CloneCommandIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;

    @TempDir
    Path work;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void startClusters() throws Exception {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("shop");
        try (Connection c = source.connect("shop")) {
            SampleDatabase.load(c, 2000);
        }
    }


    @Test
    void clonesTheNamedDatabaseIntoTheTargetsNamedDatabaseAndPrintsTheSummary() throws Exception {
        Result r = run("clone", "--source", source.uri("shop"), "--target", target.uri("shop_copy"), "--dir", work.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("Database shop -> shop_copy").contains("shop.order_lines").contains("Phase")
                .contains("Verification: 14 tables and 4 sequences identical");
        assertThat(r.err()).contains("copied shop.orders").doesNotContain(source.password());
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop_copy")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void clonesSeveralDatabasesUnderTheirOwnNames() throws Exception {
        source.createDatabase("second");
        source.execute("second", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10)");
        Result r = run("clone", "--source", source.uri("postgres"), "--target", target.uri("postgres"),
                "--dbs", "shop,second", "--dir", work.toString(), "--drop-if-exists");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        try (Connection t = target.connect("second"); ResultSet rs = t.createStatement().executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(10);
        }
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void aMalformedConnectionStringIsAnInputErrorWithoutAStackTrace() {
        Result r = run("clone", "--source", "nonsense", "--target", target.uri("x"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("--source").contains("Malformed connection string").doesNotContain("\tat ");
    }

    @Test
    void anUnreachableHostSaysWhichServerAndWhatToCheck() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Result r = run("clone", "--source", source.uri("shop"), "--target", "postgresql://u:pw@127.0.0.1:" + closedPort + "/x");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("Cannot connect to the target server 127.0.0.1:" + closedPort)
                .contains("Is the server running").doesNotContain("\tat ");
    }

    @Test
    void aWrongPasswordIsReportedWithoutEchoingIt() {
        Result r = run("clone", "--source", source.uri("shop", "postgres", "WrongPassw0rd"), "--target", target.uri("x"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("Authentication failed on the source server").contains("user 'postgres'")
                .doesNotContain("WrongPassw0rd").doesNotContain("\tat ");
    }

    @Test
    void anUnknownDatabaseIsNamed() {
        Result r = run("clone", "--source", source.uri("no_such_db"), "--target", target.uri("x"));
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("Database 'no_such_db' does not exist on the source server");
    }

    @Test
    void rolesFromAHostileSourceArriveAsNamesAndTheReportShowsEachOnOneLine() throws Exception {
        source.execute("postgres", "CREATE ROLE \"x\nALTER ROLE tenant SUPERUSER;--\"; CREATE ROLE tenant LOGIN;"
                + " CREATE ROLE boss NOLOGIN");
        target.execute("postgres", "CREATE ROLE tenant NOLOGIN; CREATE ROLE boss SUPERUSER NOLOGIN");
        source.createDatabase("withroles");
        source.execute("withroles", "CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t OWNER TO tenant");
        Result r = run("clone", "--source", source.uri("withroles"), "--target", target.uri("withroles"), "--roles",
                "--dir", work.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).contains("boss (it has SUPERUSER on the target, and pgmigrate never alters a privileged role)")
                .contains("already existed on the target and now have the source's attributes, password, settings and"
                        + " memberships: tenant.")
                .doesNotContain("Note: the target refused").doesNotContain("Note: pgmigrate did not run");
        assertThat(r.err().lines()).noneMatch(line -> line.startsWith("ALTER ROLE tenant SUPERUSER"));
        try (Connection t = target.connect("withroles"); Statement s = t.createStatement();
             ResultSet rs = s.executeQuery("SELECT r.rolsuper, r.rolcanlogin, c.relowner::regrole::text"
                     + " FROM pg_roles r, pg_class c WHERE r.rolname = 'tenant' AND c.relname = 't'")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("tenant is no superuser").isFalse();
            assertThat(rs.getBoolean(2)).as("tenant aligned with the source").isTrue();
            assertThat(rs.getString(3)).isEqualTo("tenant");
        }
    }

    @Test
    void anExistingTargetDatabaseIsLeftAloneWithoutDropIfExists() throws Exception {
        target.createDatabase("taken");
        target.execute("taken", "CREATE TABLE precious (v text); INSERT INTO precious VALUES ('keep')");
        Result r = run("clone", "--source", source.uri("shop"), "--target", target.uri("taken"), "--dir", work.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("Database 'taken' already exists").contains("--drop-if-exists");
        try (Connection t = target.connect("taken"); ResultSet rs = t.createStatement().executeQuery("SELECT v FROM precious")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("keep");
        }
    }

    @Test
    void theSourceNamedTwiceIsRefusedAndNeverDropped() throws Exception {
        String viaLocalhost = "postgresql://postgres:" + source.password() + "@localhost:" + source.port() + "/shop";
        String viaAddress = "postgresql://postgres:" + source.password() + "@127.0.0.1:" + source.port() + "/shop";
        Result r = run("clone", "--source", viaLocalhost, "--target", viaAddress, "--drop-if-exists",
                "--dir", work.resolve("same").toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("is the source database itself").contains("Nothing was written")
                .doesNotContain("\tat ");
        try (Connection s = source.connect("shop");
             ResultSet rs = s.createStatement().executeQuery("SELECT count(*) FROM shop.orders")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the source database is still there, with its rows").isPositive();
        }
    }

    @Test
    void ctrlCStopsCleanlyAndResumeFinishesTheJob() throws Exception {
        source.createDatabase("big");
        source.execute("big", "CREATE TABLE bulk (id bigint PRIMARY KEY, pad text);"
                + " INSERT INTO bulk SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 1500000) g;"
                + " CREATE TABLE other (id int PRIMARY KEY); INSERT INTO other SELECT generate_series(1, 1000)");
        Path jar = Path.of("target", "pgmigrate.jar").toAbsolutePath();
        Path dir = work.resolve("interrupted");
        // A process started in the background (CI, nohup) inherits SIGINT as ignored, and the JVM then installs no
        // handler for it: reset it, as a terminal's Ctrl-C would find it.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", javaBinary(), "-jar",
                jar.toString(), "clone", "--source",
                source.uri("big"), "--target", target.uri("big"), "--dir", dir.toString(), "--table-jobs", "1",
                "--split-tables-larger-than", "20MB"));
        Path errFile = work.resolve("stderr.txt");
        Process clone = new ProcessBuilder(command).redirectError(errFile.toFile()).redirectOutput(work.resolve("stdout.txt").toFile()).start();
        await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(errFile).contains("phase copy"));
        int exit;
        // The copy is fast enough to finish before a signal lands, so hold it: the small table, copied last (one
        // job, largest first), is TRUNCATEd before its COPY, which waits for this lock on the target.
        // The interrupt then lands while that TRUNCATE waits for the lock, and must cancel it.
        try (Connection hold = target.connect("big"); Statement s = hold.createStatement()) {
            hold.setAutoCommit(false);
            s.execute("LOCK TABLE other IN ACCESS SHARE MODE");
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                try (Connection c = target.connect("postgres"); Statement q = c.createStatement();
                     ResultSet rs = q.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = 'big'"
                             + " AND wait_event_type = 'Lock' AND query ILIKE 'TRUNCATE%'")) {
                    rs.next();
                    return rs.getInt(1) > 0;
                }
            });
            new ProcessBuilder("kill", "-INT", Long.toString(clone.pid())).start().waitFor();
            boolean stopped = clone.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            hold.rollback();
            assertThat(stopped).as("Ctrl-C cancels a statement that waits for a lock").isTrue();
            exit = clone.exitValue();
        }

        String err = Files.readString(errFile, StandardCharsets.UTF_8);
        assertThat(exit).as(err).isNotZero();
        assertThat(err).contains("Interrupted. Finished tables and indexes are checkpointed in " + dir)
                .contains("--resume").doesNotContain("\tat ");

        // The resumed run gets a 64 MB heap for a table of about 400 MB: memory does not grow with the data.
        Path resumedErr = work.resolve("resumed-stderr.txt");
        Process resumed = new ProcessBuilder(javaBinary(), "-Xmx64m", "-jar", jar.toString(), "clone", "--source",
                source.uri("big"), "--target", target.uri("big"), "--dir", dir.toString(), "--table-jobs", "1",
                "--split-tables-larger-than", "20MB", "--resume")
                .redirectError(resumedErr.toFile()).redirectOutput(work.resolve("resumed-stdout.txt").toFile()).start();
        assertThat(resumed.waitFor()).as(Files.readString(resumedErr)).isZero();
        assertThat(Files.readString(resumedErr)).contains("Resuming from " + dir);
        try (Connection s = source.connect("big"); Connection t = target.connect("big")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
