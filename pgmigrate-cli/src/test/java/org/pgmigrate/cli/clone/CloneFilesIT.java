package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.Main;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.files.FileNames;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * {@code clone}'s files: only under {@code --dir}, whatever the source's databases are called; private (0700
 * directories, 0600 files); and a work directory that cannot be used is the user's error, not a bug.
 */
@Timeout(300)
class CloneFilesIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    /** An absolute path outside --dir, as a database name: the old code wrote its schema archive there. */
    static Path outside;
    static List<String> names;

    @TempDir
    static Path shared;

    @TempDir
    Path work;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void startClusters() throws Exception {
        source = clusters.source();
        target = clusters.target();
        outside = Files.createDirectory(shared.resolve("outside"));
        names = List.of("/tmp/x", "..", outside + "/x", "odd\tname \"q\" 'q' $(x) \\ \u00e9");
        source.createDatabase("zzz_last"); // cloned last by --all-databases (ORDER BY datname)
        source.execute("zzz_last", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
        for (String db : names) {
            source.createDatabase(db);
            try (Connection c = connect(source, db); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id int PRIMARY KEY, db text)");
                try (var ps = c.prepareStatement("INSERT INTO t SELECT g, ? FROM generate_series(1, 5) g")) {
                    ps.setString(1, db);
                    ps.execute();
                }
            }
        }
    }

    /**
     * The first run stops at its last database ("zzz_last", whose directory a file blocks), so that its work
     * directory is kept and can be looked at: every file is under --dir, private. The resumed run finishes, and a
     * clone that succeeded removes its work directory.
     */
    @Test
    void databasesNamedLikePathsWriteOnlyUnderDirWhichIsPrivateEvenWhenItExisted() throws Exception {
        boolean tmpXExisted = Files.exists(Path.of("/tmp/x"));
        Path dir = Files.createDirectory(work.resolve("clone"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createFile(dir.resolve(DirectoryCheckpointStore.JOURNAL));
        Path blocker = Files.writeString(dir.resolve(FileNames.of("zzz_last")), "in the way");

        Result r = run("clone", "--source", source.uri("postgres"), "--target", target.uri("postgres"), "--all-databases",
                "--dir", dir.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.FAILED);
        assertThat(r.err()).contains("a file is in the way")
                .contains("The checkpoints of this clone are kept in " + dir);
        for (String db : names) {
            try (Connection t = connect(target, db); Statement s = t.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), min(db) FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).as(db).isEqualTo(5);
                assertThat(rs.getString(2)).isEqualTo(db);
            }
            assertThat(dir.resolve(FileNames.of(db)).resolve("schema.dump")).as(db).isRegularFile();
        }
        if (!tmpXExisted) {
            assertThat(Path.of("/tmp/x")).doesNotExist();
        }
        try (Stream<Path> inOutside = Files.list(outside); Stream<Path> inWork = Files.list(work)) {
            assertThat(inOutside).isEmpty();
            assertThat(inWork).containsExactly(dir); // ".." would have put schema.dump here
        }
        Files.delete(blocker);
        assertPrivate(dir);

        Result resumed = run("clone", "--source", source.uri("postgres"), "--target", target.uri("postgres"),
                "--all-databases", "--dir", dir.toString(), "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(ExitCode.OK);
        assertThat(resumed.err()).contains("Resuming from " + dir);
        try (Stream<Path> inOutside = Files.list(outside); Stream<Path> inWork = Files.list(work)) {
            assertThat(inOutside).isEmpty();
            assertThat(inWork).as("the clone succeeded: its work directory is gone, and nothing else was made").isEmpty();
        }
    }

    @Test
    void aWorkDirectoryThatCannotBeCreatedIsAnInputErrorNamingItAndTheFix() {
        Result r = run("clone", "--source", source.uri("/tmp/x"), "--target", target.uri("y"), "--dir", "/proc/nonexistent/x");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("Cannot create the directory /proc/nonexistent/x (/proc/nonexistent: no such file or"
                + " directory)").contains("--dir PATH").doesNotContain("\tat ").doesNotContain("bug");
    }

    @Test
    void aFileWhereTheWorkDirectoryShouldBeIsAnInputError() throws Exception {
        Path file = Files.writeString(work.resolve("a-file"), "not a directory");
        Result r = run("clone", "--source", source.uri("/tmp/x"), "--target", target.uri("y"), "--dir", file.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains(file + ": a file is in the way").contains("--dir").doesNotContain("\tat ");
        assertThat(Files.readString(file)).isEqualTo("not a directory");
    }

    @Test
    void aNonEmptyDirectoryThatIsNoWorkDirectoryIsRefusedAndLeftAsItWas() throws Exception {
        Path shared = Files.createDirectory(work.resolve("shared"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(shared.resolve("notes.txt"), "mine");
        Result r = run("clone", "--source", source.uri("/tmp/x"), "--target", target.uri("y"), "--dir", shared.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("--dir " + shared + " is not empty and holds no pgmigrate checkpoints")
                .doesNotContain("\tat ");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared))).isEqualTo("rwxr-xr-x");
        try (Stream<Path> files = Files.list(shared)) {
            assertThat(files).containsExactly(shared.resolve("notes.txt"));
        }
    }

    @Test
    void aWriteThatFailsMidRunIsAFailureNamingThePathNotABug() throws Exception {
        Path dir = Files.createDirectory(work.resolve("blocked"));
        Files.createFile(dir.resolve(DirectoryCheckpointStore.JOURNAL));
        // A file where the database's own directory goes: creating it fails after the run has started.
        Path blocker = Files.writeString(dir.resolve(FileNames.of("/tmp/x")), "in the way");
        Result r = run("clone", "--source", source.uri("/tmp/x"), "--target", target.uri("blocked"), "--dir", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.FAILED);
        assertThat(r.err()).contains("Cannot create the directory " + blocker + " (" + blocker + ": a file is in the way)")
                .contains("The checkpoints of this clone are kept in " + dir + ": continue with the same command plus"
                        + " --resume.").doesNotContain("\tat ").doesNotContain("bug");
        assertThat(dir).as("a failed clone keeps its work directory").isDirectory();
    }

    /** Every directory under {@code dir} (and itself) is 0700, every file 0600. */
    private static void assertPrivate(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertThat(mode).as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
            }
        }
    }

    private static Connection connect(PgCluster cluster, String db) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://" + cluster.host() + ":" + cluster.port() + "/"
                + URLEncoder.encode(db, StandardCharsets.UTF_8).replace("+", "%20"), cluster.superuser(), cluster.password());
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
