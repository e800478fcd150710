package org.pgmigrate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pgmigrate.service.ArmClient.migrationPath;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.service.ArmClient.Response;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * An online migration under a write load survives random faults (at least 20): the service node killed with SIGKILL
 * and started again, the walsender and the applier's backend terminated, the source and the target restarted. Then the
 * writes stop, the cutover runs, and a row-exact comparison (a keyless table included, so a duplicate would show)
 * finds nothing lost and nothing applied twice, and no slot is left. The seed is printed; set
 * {@code -Dpgmigrate.faultSeed=N} to replay a run.
 */
@Tag("slow")
@Timeout(1800)
class RandomFaultsIT {

    private static final int FAULTS = 24;

    enum Fault { KILL_SERVICE, TERMINATE_WALSENDER, TERMINATE_APPLIER, RESTART_SOURCE, RESTART_TARGET }

    @Test
    void anOnlineMigrationSurvivesRandomFaultsAndCutsOverWithNothingLost() throws Exception {
        long seed = Long.getLong("pgmigrate.faultSeed", System.nanoTime());
        System.out.println("RandomFaultsIT seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        Path dataDir = Files.createTempDirectory("pgmigrate-random-faults-it");
        try (PgCluster source = PgCluster.builder().name("faults-source").start();
             PgCluster target = PgCluster.builder().name("faults-target").start();
             ServiceProcesses nodes = new ServiceProcesses(dataDir)) {
            source.createDatabase("bank");
            MixedWorkload.createSchema(source, "bank", 20_000);
            ArmClient[] client = {nodes.start()};
            assertThat(client[0].registerServer("flexibleServers", "faults-target", target.host(), target.port())
                    .status()).isEqualTo(201);
            String path = migrationPath("faults-target", "random-faults");
            assertThat(client[0].put(path, MigrationBodies.online(source, target, "Migrate", true, "bank")).status())
                    .isEqualTo(201);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> get(client[0], path), r -> r != null && r.subState().equals("WaitingForCutoverTrigger"));

            Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
            try (ResilientWorkload load = new ResilientWorkload(source, "bank", random.nextLong())) {
                for (int i = 0; i < FAULTS; i++) {
                    long before = load.commits.get();
                    await().atMost(Duration.ofSeconds(60)).until(() -> load.commits.get() > before + 50);
                    Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
                    injected.merge(fault, 1, Integer::sum);
                    System.out.println("RandomFaultsIT fault " + (i + 1) + ": " + fault);
                    switch (fault) {
                        case KILL_SERVICE -> {
                            nodes.killLatest();
                            client[0] = nodes.start();
                        }
                        case TERMINATE_WALSENDER -> terminate(source, "backend_type = 'walsender'");
                        case TERMINATE_APPLIER -> terminate(target, "application_name = 'pgmigrate-cdc-apply'");
                        case RESTART_SOURCE -> source.restart();
                        case RESTART_TARGET -> target.restart();
                    }
                    // Replication must come back and move on: it applies changes written after the fault.
                    long applied = applied(client[0], path);
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                            .until(() -> applied(client[0], path) > applied);
                    Response now = get(client[0], path);
                    assertThat(now.db("bank").path("migrationState").asText()).as(now.body())
                            .isEqualTo("WaitingForCutoverTrigger");
                }
            }
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> get(client[0], path), r -> r != null && r.db("bank").path("latency").asLong() == 0
                            && r.db("bank").path("pendingBytes").asLong() < 1_000_000);
            assertThat(client[0].patch(path, "{\"properties\": {\"triggerCutover\": \"True\"}}").status()).isEqualTo(200);
            Response done = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> get(client[0], path), r -> r != null && !r.state().equals("InProgress"));
            assertThat(done.state()).as(done.body()).isEqualTo("Succeeded");
            try (Connection s = source.connect("bank"); Connection t = target.connect("bank")) {
                assertThat(DatabaseComparer.differences(s, t)).as("rows lost or applied twice").isEmpty();
            }
            try (Connection c = source.connect("postgres"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            System.out.println("RandomFaultsIT faults " + injected + ", rows lost or duplicated: 0");
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void terminate(PgCluster cluster, String which) throws SQLException {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE " + which);
        }
    }

    /** The migration, or null while the node restarts. */
    private static Response get(ArmClient client, String path) {
        return quietly(() -> client.get(path));
    }

    private static long applied(ArmClient client, String path) {
        Response r = get(client, path);
        return r == null ? -1 : r.db("bank").path("appliedChanges").asLong();
    }

    private static <T> T quietly(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Writes like {@link MixedWorkload} (keyed and keyless tables, TOAST, two-statement transactions), but carries on
     * through source restarts: a failed statement reconnects and goes on. Whether the transaction that failed
     * committed does not matter: the final comparison takes the source as it is.
     */
    static final class ResilientWorkload implements AutoCloseable {
        final AtomicLong commits = new AtomicLong();
        private final PgCluster source;
        private final String db;
        private final Thread thread;
        private volatile boolean stop;

        ResilientWorkload(PgCluster source, String db, long seed) {
            this.source = source;
            this.db = db;
            this.thread = new Thread(() -> run(new SplittableRandom(seed)), "resilient-workload");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(SplittableRandom random) {
            long nextId = 2_000_000;
            long nextEvent = 0;
            while (!stop) {
                try (Connection c = source.connect(db)) {
                    while (!stop) {
                        int op = random.nextInt(6);
                        if (op == 0) {
                            exec(c, "INSERT INTO accounts VALUES (?, 1.50, 'n')", nextId++);
                        } else if (op == 1) {
                            exec(c, "UPDATE accounts SET balance = balance + 1 WHERE id = ?", 1 + random.nextInt(20000));
                        } else if (op == 2) {
                            exec(c, "DELETE FROM accounts WHERE id = ?", 2_000_000 + random.nextLong(Math.max(1,
                                    nextId - 2_000_000)));
                        } else if (op == 3) {
                            exec(c, "UPDATE docs SET title = title || '.' WHERE id = ?", 1 + random.nextInt(300));
                        } else if (op == 4) {
                            c.setAutoCommit(false);
                            exec(c, "UPDATE docs SET body = repeat(md5(random()::text), 300) WHERE id = ?",
                                    1 + random.nextInt(300));
                            exec(c, "INSERT INTO events (v) VALUES ('r' || ?)", nextEvent++);
                            c.commit();
                            c.setAutoCommit(true);
                        } else {
                            exec(c, "INSERT INTO events (v) VALUES ('e' || ?)", nextEvent++);
                            exec(c, "UPDATE events SET v = v || 'u' WHERE v = 'e' || ?", random.nextLong(nextEvent));
                        }
                        commits.incrementAndGet();
                    }
                } catch (SQLException e) {
                    // the source restarts: connect again
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
                }
            }
        }

        private static void exec(Connection c, String sql, long value) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, value);
                ps.executeUpdate();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(30_000);
        }
    }
}
