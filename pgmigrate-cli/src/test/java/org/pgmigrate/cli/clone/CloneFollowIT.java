package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * {@code clone --follow} as a user runs it (the shaded jar in its own process): the copy, then the source's changes
 * applied while the live lines count them, then a cutover asked for with the trigger file, and the target equal to
 * the source with the slot gone; and Ctrl-C, which stops following without a cutover and drops the slot.
 */
@Timeout(300)
class CloneFollowIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    private static final Pattern APPLIED = Pattern.compile("applied ([\\d,]+) of");
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path work;

    @AfterEach
    void stopProcesses() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void followsTheSourcesChangesUntilTheCutoverFileAndEndsEqual() throws Exception {
        PgCluster source = clusters.source();
        PgCluster target = clusters.target();
        source.createDatabase("followed");
        try (Connection c = source.connect("followed")) {
            SampleDatabase.load(c, 1000);
        }
        Path dir = work.resolve("dir");
        Process clone = start(source, target, "followed", dir, "follow");
        Path out = work.resolve("follow-stdout.txt");
        await().atMost(Duration.ofSeconds(120)).until(() -> read(out).contains("Following the changes of followed"));
        assertThat(read(out)).contains("create the file " + dir.resolve("cutover"));

        source.execute("followed", "INSERT INTO shop.customers (name, email) SELECT 'late ' || g,"
                + " 'late' || g || '@example.com' FROM generate_series(1, 50) g;"
                + " UPDATE shop.products SET price = price + 1 WHERE sku IN (SELECT sku FROM shop.products ORDER BY sku"
                + " LIMIT 10);"
                + " DELETE FROM shop.order_lines WHERE order_id = 3");
        await().atMost(Duration.ofSeconds(60)).until(() -> lastApplied(read(out)) >= 60);

        Files.createFile(dir.resolve("cutover"));
        assertThat(clone.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(clone.exitValue()).as(read(out) + read(work.resolve("follow-stderr.txt"))).isZero();
        assertThat(read(out)).contains("Cutover done in").contains("slot and publication dropped");
        try (Connection s = source.connect("followed"); Connection t = target.connect("followed")) {
            DatabaseComparer.assertEqual(s, t);
        }
        assertThat(slots(source)).isZero();
        assertThat(dir).as("the work directory of a clone that cut over").doesNotExist();
    }

    @Test
    void ctrlCStopsFollowingWithoutACutoverAndDropsTheSlot() throws Exception {
        PgCluster source = clusters.source();
        PgCluster target = clusters.target();
        source.createDatabase("stopped");
        try (Connection c = source.connect("stopped")) {
            SampleDatabase.load(c, 500);
        }
        Process clone = start(source, target, "stopped", work.resolve("dir2"), "stop");
        await().atMost(Duration.ofSeconds(120))
                .until(() -> read(work.resolve("stop-stdout.txt")).contains("Following the changes of stopped"));
        assertThat(slots(source)).isEqualTo(1);
        new ProcessBuilder("kill", "-INT", Long.toString(clone.pid())).start().waitFor();
        assertThat(clone.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = read(work.resolve("stop-stderr.txt"));
        assertThat(clone.exitValue()).as(err).isEqualTo(130);
        assertThat(err).contains("stopped following without a cutover");
        assertThat(slots(source)).isZero();
    }

    private Process start(PgCluster source, PgCluster target, String db, Path dir, String name) throws Exception {
        Path jar = Path.of("target", "pgmigrate.jar").toAbsolutePath();
        // A suite started in the background (CI, nohup) hands SIGINT down as ignored, and the JVM then installs no
        // handler for it: reset it, as a terminal's Ctrl-C would find it (as CloneCommandIT and MigrationCliIT do).
        List<String> command = List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "clone",
                "--source", source.uri(db), "--target", target.uri(db), "--dir", dir.toString(), "--follow",
                "--allow-replica-identity-full");
        Process p = new ProcessBuilder(command).redirectError(work.resolve(name + "-stderr.txt").toFile())
                .redirectOutput(work.resolve(name + "-stdout.txt").toFile()).start();
        processes.add(p);
        return p;
    }

    private static long lastApplied(String out) {
        Matcher m = APPLIED.matcher(out);
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1).replace(",", ""));
        }
        return last;
    }

    private static long slots(PgCluster source) throws Exception {
        try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String read(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
