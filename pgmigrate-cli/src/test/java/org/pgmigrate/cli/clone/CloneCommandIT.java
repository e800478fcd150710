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
import org.pgmigrate.cli.Terminal;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
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
        Path dir = work.resolve("clone");
        Result r = run("clone", "--source", source.uri("shop"), "--target", target.uri("shop_copy"), "--dir", dir.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("Database shop -> shop_copy").contains("shop.order_lines").contains("Phase")
                .contains("Verification: 14 tables and 4 sequences identical");
        assertThat(r.err()).contains("copied shop.orders").doesNotContain(source.password());
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop_copy")) {
            DatabaseComparer.assertEqual(s, t);
        }
        // Every number is exact: the progress lines and the summary count the rows the target holds, no more.
        long rows = rowsOfEveryTable(target, "shop_copy");
        assertThat(number(r.err(), "copy done in [0-9.]+s: ([0-9,]+) rows")).isEqualTo(rows);
        assertThat(number(r.out(), "Total \\(14 tables\\) +([0-9,]+)")).isEqualTo(rows);
        assertThat(r.err()).containsPattern("14 tables queued, ~[0-9.]+ [KMG]iB \\(estimated from their size on disk\\)");
        assertThat(r.out() + r.err()).doesNotContainPattern("[0-9] (kB|MB|GB)\\b");
        assertThat(dir).as("a clone that succeeded removes its work directory").doesNotExist();
    }

    @Test
    void clonesSeveralDatabasesUnderTheirOwnNames() throws Exception {
        source.createDatabase("second");
        source.execute("second", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10)");
        Result r = run("clone", "--source", source.uri("postgres"), "--target", target.uri("postgres"),
                "--dbs", "shop,second", "--dir", work.resolve("several").toString(), "--drop-if-exists");
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
                "--dir", work.resolve("roles").toString());

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
        // clone speaks of clone's flags only; with no interrupted clone in the way, --resume is no advice.
        assertThat(r.err()).contains("Database 'taken' already exists on the target").contains("--drop-if-exists")
                .contains("Nothing was written").doesNotContain("overwriteDbsInTarget").doesNotContain("--resume");
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

    /**
     * Through a real terminal (tmux), as a user does it: the clone is stopped with Ctrl-C, the same command run
     * again without --resume is refused and says to add --resume (the checkpoints survive it), and --resume then
     * finishes the job: the summary counts every row, the first run's too, and says which this run copied. The
     * runs get a 64 MB heap, and the bulk table's COPY stream (300,000 rows of 264 bytes, some 80 MB, split in parts)
     * is larger than that: memory does not grow with the data.
     */
    @Test
    void ctrlCThenTheSameCloneAgainThenResumeFinishesTheJobWithItsCheckpointsIntact() throws Exception {
        source.createDatabase("big");
        source.execute("big", "CREATE TABLE bulk (id bigint PRIMARY KEY, pad text);"
                + " INSERT INTO bulk SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 300000) g;"
                + " CREATE TABLE other (id int PRIMARY KEY); INSERT INTO other SELECT generate_series(1, 1000)");
        Path jar = Path.of("target", "pgmigrate.jar").toAbsolutePath();
        Path dir = work.resolve("interrupted");
        Path journal = dir.resolve(DirectoryCheckpointStore.JOURNAL);
        // A process started in the background (CI, nohup) inherits SIGINT as ignored, and the JVM then installs no
        // handler for it: reset it, as a terminal's Ctrl-C would find it.
        String clone = "env --default-signal=INT " + javaBinary() + " -Xmx64m -jar " + jar + " clone --source '"
                + source.uri("big") + "' --target '" + target.uri("big") + "' --dir " + dir
                + " --table-jobs 1 --split-tables-larger-than 20MiB";
        try (Terminal terminal = Terminal.open(work)) {
            Terminal.Command first = terminal.type(clone);
            // The copy is fast enough to finish before a key lands, so hold it: the small table, copied last (one
            // job, largest first), is loaded by a COPY (fresh and small: no TRUNCATE) that waits for this lock on
            // the target. Ctrl-C then lands while that COPY waits for the lock, and must cancel it.
            // Once the bulk table's COPY runs, pre-data is done (no DDL of pg_restore's can wait on the lock).
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                    .until(() -> sessions(target, "big", "COPY%FROM STDIN%") > 0);
            try (Connection hold = target.connect("big"); Statement s = hold.createStatement()) {
                hold.setAutoCommit(false);
                s.execute("LOCK TABLE public.other IN SHARE MODE"); // blocks COPY FROM and TRUNCATE alike
                await().atMost(Duration.ofSeconds(120)).until(() -> waitingLoads(target, "big") > 0);
                terminal.pressCtrlC();
                int exit = first.awaitExit(Duration.ofSeconds(60));
                hold.rollback();
                String screen = terminal.screen();
                assertThat(exit).as(screen).isEqualTo(ExitCode.INTERRUPTED).isEqualTo(130);
                assertThat(screen).contains("Interrupted. Finished tables and indexes are checkpointed in " + dir)
                        .contains("--resume").doesNotContain("\tat ");
            }
            byte[] checkpoints = Files.readAllBytes(journal);
            assertThat(checkpoints).as("the interrupted run's checkpoints").isNotEmpty();

            // The obvious next step: the same command again. It must not fail on the database the first run created,
            // nor empty the journal: it says to add --resume (or --drop-if-exists to start over).
            terminal.clear();
            int again = terminal.run(clone, Duration.ofSeconds(120));
            String refused = terminal.screen();
            assertThat(again).as(refused).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(refused).contains("Database 'big' already exists on the target")
                    .contains(dir + " holds the checkpoints of an interrupted clone of this source and target")
                    .contains("Add --resume").contains("--drop-if-exists").doesNotContain("overwriteDbsInTarget")
                    .doesNotContain("\tat ");
            assertThat(Files.readAllBytes(journal)).as("the journal survives a run that did not finish")
                    .isEqualTo(checkpoints);

            terminal.clear();
            int resumed = terminal.run(clone + " --resume", Duration.ofSeconds(240));
            String done = terminal.screen();
            assertThat(resumed).as(done).isEqualTo(ExitCode.OK);
            assertThat(done).contains("Resuming from " + dir)
                    .containsPattern("big +done +\\[#{30}\\] +100% tables 2/2 rows 301,000 \\(1,000 this run\\)")
                    .contains("Rows: 301,000 in all: 1,000 copied by this run, 300,000 by the earlier, interrupted run(s)")
                    .contains("Verification: 2 tables and 0 sequences identical");
            assertThat(done.lines().filter(l -> l.contains("consistent only if the source did not change")))
                    .as("the resume caveat is said once").hasSize(1);
        }
        assertThat(dir).as("a clone that succeeded removes its work directory").doesNotExist();
        try (Connection s = source.connect("big"); Connection t = target.connect("big")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void allDatabasesNamesEveryTargetDatabaseInTheWayAtOnceAndWritesNothing() throws Exception {
        for (String db : List.of("clash_a", "clash_b", "clash_free")) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
        }
        target.createDatabase("clash_a");
        target.createDatabase("clash_b");
        target.execute("clash_a", "CREATE TABLE precious (v text); INSERT INTO precious VALUES ('keep')");
        Path dir = work.resolve("all");

        Result r = run("clone", "--source", source.uri("postgres"), "--target", target.uri("postgres"),
                "--all-databases", "--dir", dir.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).containsPattern("ERROR: Databases .*'clash_a', 'clash_b'.* already exist on the target")
                .contains("add --drop-if-exists to drop and recreate them").contains("Nothing was written")
                .doesNotContain("--resume").doesNotContain("\tat ");
        assertThat(databaseExists(target, "clash_free")).isFalse();
        try (Connection t = target.connect("clash_a");
             ResultSet rs = t.createStatement().executeQuery("SELECT v FROM precious")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("keep");
        }
        assertThat(dir).as("a refused run leaves no empty work directory").doesNotExist();
        for (String db : List.of("clash_a", "clash_b", "clash_free")) {
            source.execute("postgres", "DROP DATABASE \"" + db + "\"");
        }
    }

    private static boolean databaseExists(PgCluster cluster, String db) throws Exception {
        try (Connection c = cluster.connect("postgres"); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Sessions on {@code db} running a statement like {@code pattern}. */
    private static int sessions(PgCluster cluster, String db, String pattern) throws Exception {
        try (Connection c = cluster.connect("postgres"); java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND state = 'active' AND query ILIKE ?")) {
            ps.setString(1, db);
            ps.setString(2, pattern);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Sessions of {@code db} whose load of a table (its TRUNCATE or its COPY) waits for a lock. */
    private static int waitingLoads(PgCluster cluster, String db) throws Exception {
        try (Connection c = cluster.connect("postgres"); Statement q = c.createStatement();
             ResultSet rs = q.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db + "'"
                     + " AND wait_event_type = 'Lock'"
                     + " AND (query ILIKE 'TRUNCATE%' OR query ILIKE 'COPY%FROM STDIN%')")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The rows of every ordinary table (and leaf partition) of {@code db}, outside the catalogs. */
    private static long rowsOfEveryTable(PgCluster cluster, String db) throws Exception {
        long total = 0;
        try (Connection c = cluster.connect(db); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n"
                    + " ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog',"
                    + " 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM ONLY " + table)) {
                    rs.next();
                    total += rs.getLong(1);
                }
            }
        }
        return total;
    }

    private static long number(String text, String regex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in:%n%s", regex, text).isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
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
