package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.Main;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/** Passwords on the command line are warned about; password files keep them out of ps and the shell history. */
@Timeout(300)
class PasswordOptionsIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;

    @TempDir
    Path work;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void startClusters() {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("shop");
        source.execute("shop", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 42)");
    }

    @Test
    void passwordsInTheConnectionStringsGetOneWarningThatNamesTheAlternatives() throws Exception {
        Result r = run("clone", "--source", source.uri("shop"), "--target", target.uri("warned"), "--dir",
                work.resolve("warned").toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(count(r.err(), "WARNING: the password")).isEqualTo(1);
        assertThat(r.err()).contains("WARNING: the passwords in --source and --target are visible to every user of this"
                        + " machine in the process list (ps), and stay in your shell history. Give them with PGPASSWORD,"
                        + " ~/.pgpass or --source-password-file / --target-password-file instead.")
                .doesNotContain(source.password()).doesNotContain(target.password());

        Result conninfo = run("verify", "--source", "host=" + source.host() + " port=" + source.port() + " dbname=shop"
                + " user=" + source.superuser() + " password=" + source.password(), "--target", withoutPassword(target, "warned"),
                "--target-password-file", file("t.pw", target.password() + "\n", "rw-------").toString());
        assertThat(conninfo.exitCode()).as(conninfo.err()).isEqualTo(ExitCode.OK);
        assertThat(conninfo.err()).contains("WARNING: the password in --source is visible to every user of this machine"
                + " in the process list (ps), and stays in your shell history. Give it with PGPASSWORD, ~/.pgpass or"
                + " --source-password-file instead.").doesNotContain(source.password());
    }

    @Test
    void passwordFilesConnectWithoutAWarning() throws Exception {
        Path sourcePw = file("source.pw", source.password() + "\n", "rw-------");
        Path targetPw = file("target.pw", target.password() + "\r\n", "r--------");
        Result r = run("clone", "--source", withoutPassword(source, "shop"), "--source-password-file", sourcePw.toString(),
                "--target", withoutPassword(target, "from_files"), "--target-password-file", targetPw.toString(),
                "--dir", work.resolve("files").toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).doesNotContain("WARNING");
        try (Connection t = target.connect("from_files"); Statement s = t.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void aPasswordFileOthersCanReadIsUsedWithAWarning() throws Exception {
        Path sourcePw = file("open.pw", source.password(), "rw-r--r--");
        Result r = run("verify", "--source", withoutPassword(source, "shop"), "--source-password-file", sourcePw.toString(),
                "--target", withoutPassword(source, "shop"), "--target-password-file", sourcePw.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).contains("WARNING: --source-password-file " + sourcePw + " is readable by other users"
                + " (rw-r--r--); restrict it with: chmod 600 " + sourcePw);
    }

    @Test
    void badPasswordFilesAreInputErrors() throws Exception {
        Result both = run("verify", "--source", source.uri("shop"), "--source-password-file",
                file("x.pw", "pw", "rw-------").toString(), "--target", target.uri("x"));
        assertThat(both.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(both.err()).contains("--source has a password and --source-password-file gives one too")
                .doesNotContain(source.password());

        Path missing = work.resolve("missing.pw");
        Result absent = run("clone", "--source", withoutPassword(source, "shop"), "--source-password-file",
                missing.toString(), "--target", target.uri("x"), "--dir", work.resolve("absent").toString());
        assertThat(absent.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(absent.err()).contains("--source-password-file: the file " + missing + " does not exist.")
                .doesNotContain("\tat ");

        Path empty = file("empty.pw", "\n", "rw-------");
        Result blank = run("verify", "--source", withoutPassword(source, "shop"), "--source-password-file",
                empty.toString(), "--target", target.uri("x"));
        assertThat(blank.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(blank.err()).contains(empty + " is empty");

        Path pgpass = file("pgpass", "*:*:*:*:" + source.password() + "\nlocalhost:5432:*:*:other\n", "rw-------");
        Result lines = run("verify", "--source", withoutPassword(source, "shop"), "--source-password-file",
                pgpass.toString(), "--target", target.uri("x"));
        assertThat(lines.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(lines.err()).contains(pgpass + " has more than one line").doesNotContain(source.password());
    }

    private Path file(String name, String content, String mode) throws Exception {
        Path file = Files.writeString(work.resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static String withoutPassword(PgCluster cluster, String db) {
        return "postgresql://" + cluster.superuser() + "@" + cluster.host() + ":" + cluster.port() + "/" + db;
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
