package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.RestoreGate;
import org.pgmigrate.testkit.data.SampleDatabase;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * The {@code clone} process (the shaded jar, as a user runs it) is killed with SIGKILL while pg_restore is in the
 * middle of pre-data, and again of post-data; {@code clone --resume} then finishes with exit 0 and the target equals
 * the source. A {@link RestoreGate} holds pg_restore at a known statement, so the kill lands there every time. The
 * killed run's pg_restore outlives it (a kill -9 does not reach children) and still waits at the gate when the
 * resumed run starts, as it would in real life: the resumed run must end it.
 */
@Timeout(300)
class CloneKilledIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() throws Exception {
        source = clusters.source();
        target = clusters.target();
        for (String db : List.of("gated_pre", "gated_post")) {
            source.createDatabase(db);
            try (Connection c = source.connect(db)) {
                SampleDatabase.load(c, 2000);
            }
            source.execute(db, RestoreGate.functionSql());
        }
        source.execute("gated_pre", RestoreGate.preDataObjects("gate_pre"));
        source.execute("gated_post", RestoreGate.postDataObjects("gate_post"));
    }

    @AfterEach
    void stopProcesses() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void aCloneKilledDuringPreDataResumesToSuccess() throws Exception {
        String err = killAtTheGateAndResume("gated_pre", "gate_pre");
        assertThat(err).contains("the half-restored database it created is dropped and created again");
    }

    @Test
    void aCloneKilledDuringPostDataResumesToSuccess() throws Exception {
        String err = killAtTheGateAndResume("gated_post", "gate_post");
        // The leftover pg_restore is ended when the resumed run opens the target database, before its own post-data.
        assertThat(err).contains("that the interrupted run left working on database gated_post")
                .contains("resumed an interrupted one").contains("entries it had restored were kept");
    }

    /** Returns the resumed run's stderr. */
    private String killAtTheGateAndResume(String db, String gateRole) throws Exception {
        Path dir = work.resolve("dir");
        try (RestoreGate gate = RestoreGate.hold(target, gateRole)) {
            Process first = clone(db, dir, "first", false);
            int leftover = gate.awaitWaiter(Duration.ofSeconds(120), Set.of());
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            assertThat(gate.isConnected(leftover)).as("the killed run's pg_restore lives on").isTrue();

            Process resumed = clone(db, dir, "resumed", true);
            int again = gate.awaitWaiter(Duration.ofSeconds(120), Set.of(leftover));
            assertThat(gate.isConnected(leftover)).as("the resumed run ended the leftover pg_restore").isFalse();
            assertThat(again).isNotEqualTo(leftover);
            gate.open();
            assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String err = Files.readString(work.resolve("resumed-stderr.txt"), StandardCharsets.UTF_8);
            assertThat(resumed.exitValue()).as(err).isZero();
            assertThat(err).contains("Resuming from " + dir);
            try (Connection s = source.connect(db); Connection t = target.connect(db)) {
                DatabaseComparer.assertEqual(s, t);
            }
            return err;
        } finally {
            target.execute("postgres", "DROP ROLE IF EXISTS " + gateRole);
        }
    }

    private Process clone(String db, Path dir, String name, boolean resume) throws Exception {
        Path jar = Path.of("target", "pgmigrate.jar").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "clone", "--source", source.uri(db), "--target", target.uri(db),
                "--dir", dir.toString()));
        if (resume) {
            command.add("--resume");
        }
        Process p = new ProcessBuilder(command).redirectError(work.resolve(name + "-stderr.txt").toFile())
                .redirectOutput(work.resolve(name + "-stdout.txt").toFile()).start();
        processes.add(p);
        return p;
    }
}
