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
import org.pgmigrate.service.store.postgres.StoreLocation;

/**
 * Service nodes as child JVMs ({@link ServiceMain}), for tests that kill them with SIGKILL or pause them with
 * SIGSTOP. {@link #start()} starts a node on this fixture's data dir (the n-th start logs to {@code service-n.log}
 * and {@code stdout-n.txt} there); {@link #startNode} starts a named node on a data dir of its own and a shared
 * PostgreSQL store. With {@code -Dpgmigrate.test.store=postgresql} ({@link TestStores}) {@link #start()} uses a
 * PostgreSQL store too. {@link #close} kills what is left.
 */
final class ServiceProcesses implements AutoCloseable {

    private final Path dataDir;
    private final List<Process> processes = new ArrayList<>();

    /** A running node: its process and data dir. */
    record Node(String name, Path dataDir, Process process) {
        ArmClient client() {
            return new ArmClient(dataDir);
        }

        Node withName(String newName) {
            return new Node(newName, dataDir, process);
        }

        String log() throws IOException {
            return Files.readString(dataDir.resolve("service-1.log"));
        }
    }

    ServiceProcesses(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts a node and returns a client once its endpoint file is written. */
    ArmClient start() throws IOException {
        int n = processes.size() + 1;
        List<String> args = new ArrayList<>(List.of(dataDir.toString(), "2"));
        StoreLocation store = null;
        if (TestStores.postgres()) {
            store = TestStores.storeFor(dataDir);
            // the name a service on this data dir has in process too, so that either takes the other's leases back
            args.addAll(List.of(store.describe(), ServiceConfig.defaultNodeName(new DataDirectory(dataDir))));
        }
        return launch(dataDir, n, args, store).client();
    }

    /**
     * Starts node {@code name} on {@code nodeDir} and the PostgreSQL {@code store}, running at most
     * {@code maxMigrations}; returns once it listens. Its log is {@code service-1.log} in {@code nodeDir}.
     */
    Node startNode(Path nodeDir, String name, StoreLocation store, int maxMigrations) throws IOException {
        return launch(nodeDir, 1, List.of(nodeDir.toString(), "2", store.describe(), name,
                Integer.toString(maxMigrations)), store).withName(name);
    }

    private Node launch(Path dir, int n, List<String> args, StoreLocation store) throws IOException {
        Files.deleteIfExists(dir.resolve("endpoint"));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-Dpgmigrate.testLog=" + dir.resolve("service-" + n + ".log"), "-cp", classpath,
                ServiceMain.class.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        if (store != null) {
            pb.environment().put("PGPASSWORD", store.password()); // never on the command line
        }
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("stdout-" + n + ".txt").toFile());
        Process p = pb.start();
        processes.add(p);
        // a JVM start, a first start's TLS key and the store's pool took 40 to 60 s on 2 cores that other builds
        // shared (load 25); the wait ends as soon as the node listens or its process dies
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(dir.resolve("endpoint")) || !p.isAlive());
        assertThat(p.isAlive()).as(Files.readString(dir.resolve("stdout-" + n + ".txt"))).isTrue();
        return new Node(null, dir, p);
    }

    /** The newest node's process. */
    Process latest() {
        return processes.get(processes.size() - 1);
    }

    /** SIGKILLs the newest node and waits until it is gone. */
    void killLatest() throws InterruptedException {
        kill(latest());
    }

    /** SIGKILLs {@code p} and waits until it is gone. */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }

    /** Sends {@code signal} (STOP, CONT) to {@code p}: a paused node, as in a long GC pause. */
    static void signal(Process p, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -" + signal).isZero();
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
