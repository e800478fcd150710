package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * A seeded mix of inserts, updates and deletes on {@code work(id int primary key, v int, note text)} in small
 * transactions, run on its own thread, counting what it did. The seed is printed so a failure can be replayed.
 */
final class Workload implements AutoCloseable {

    static final String DDL = "CREATE TABLE work (id int PRIMARY KEY, v int, note text)";

    final AtomicLong inserts = new AtomicLong();
    final AtomicLong updates = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    final AtomicLong transactions = new AtomicLong();
    private final PgCluster cluster;
    private final String db;
    private final long seed;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private Thread thread;
    private int nextId = 1_000_000;

    Workload(PgCluster cluster, String db, long seed) {
        this.cluster = cluster;
        this.db = db;
        this.seed = seed;
        System.out.println("Workload seed " + seed);
    }

    Workload start() {
        thread = new Thread(this::run, "workload-" + db);
        thread.start();
        return this;
    }

    /** Stops after the current transaction and waits for it. */
    void stop() {
        stopping = true;
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new AssertionError("workload failed (seed " + seed + ")", failure);
        }
    }

    @Override
    public void close() {
        if (thread != null && thread.isAlive()) {
            stop();
        }
    }

    private void run() {
        Random random = new Random(seed);
        try (Connection c = cluster.connect(db); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            while (!stopping) {
                int rows = 1 + random.nextInt(5);
                for (int i = 0; i < rows; i++) {
                    int op = random.nextInt(10);
                    if (op < 6 || nextId < 1_000_010) {
                        s.execute("INSERT INTO work VALUES (" + nextId++ + ", " + random.nextInt(1000) + ", 'n"
                                + random.nextInt() + "')");
                        inserts.incrementAndGet();
                    } else if (op < 9) {
                        int id = 1_000_000 + random.nextInt(nextId - 1_000_000);
                        updates.addAndGet(s.executeUpdate("UPDATE work SET v = v + 1, note = note || 'u' WHERE id = " + id));
                    } else {
                        int id = 1_000_000 + random.nextInt(nextId - 1_000_000);
                        deletes.addAndGet(s.executeUpdate("DELETE FROM work WHERE id = " + id));
                    }
                }
                c.commit();
                transactions.incrementAndGet();
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
    }
}
