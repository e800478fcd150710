package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Service nodes as child JVMs on one data dir ({@link ServiceMain}), for tests that kill them with SIGKILL. The n-th
 * start logs to {@code service-n.log} and {@code stdout-n.txt} in the data dir. {@link #close} kills what is left.
 */
final class ServiceProcesses implements AutoCloseable {

    private final Path dataDir;
    private final List<Process> processes = new ArrayList<>();

    ServiceProcesses(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts a node and returns a client once its endpoint file is written. */
    ArmClient start() throws IOException {
        int n = processes.size() + 1;
        Files.deleteIfExists(dataDir.resolve("endpoint"));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dpgmigrate.testLog=" + dataDir.resolve("service-" + n + ".log"), "-cp", classpath,
                ServiceMain.class.getName(), dataDir.toString(), "2");
        pb.redirectErrorStream(true);
        pb.redirectOutput(dataDir.resolve("stdout-" + n + ".txt").toFile());
        Process p = pb.start();
        processes.add(p);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(dataDir.resolve("endpoint")) || !p.isAlive());
        assertThat(p.isAlive()).as(Files.readString(dataDir.resolve("stdout-" + n + ".txt"))).isTrue();
        return new ArmClient(dataDir);
    }

    /** SIGKILLs the newest node and waits until it is gone. */
    void killLatest() throws InterruptedException {
        Process p = processes.get(processes.size() - 1);
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }

    /** Stops the newest node with SIGTERM (a clean stop) and waits until it is gone. */
    void stopLatest() throws InterruptedException {
        Process p = processes.get(processes.size() - 1);
        p.destroy();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();
    }

    /** The log of the n-th start (1-based). */
    String log(int n) throws IOException {
        return Files.readString(dataDir.resolve("service-" + n + ".log"));
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
    }
}
