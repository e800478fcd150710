package org.pgmigrate.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * A write load for online migration tests: inserts, updates and deletes on a keyed table, updates that leave a TOAST
 * column unchanged and updates that replace it, and inserts, updates and deletes on a table without a key (it
 * needs REPLICA IDENTITY FULL). Runs on its own thread until {@link #close()}; counts the rows it changed, so a test
 * can compare them with the migration's CDC counters. Every change is a committed transaction of its own, except a
 * few two-statement transactions.
 *
 * <p>The writes are paced at {@link #TRANSACTIONS_PER_SECOND}: these tests prove that nothing is lost or applied
 * twice, not how fast the apply keeps up, and an unpaced writer on a shared two-core CI machine made every catch-up
 * wait grow with the machine's load (updates and deletes on the keyless table are sequential scans on both sides).
 */
final class MixedWorkload implements AutoCloseable {

    final AtomicLong inserts = new AtomicLong();
    final AtomicLong updates = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Thousands of changes in a few seconds, yet a small share of what the apply manages on a loaded machine. */
    static final int TRANSACTIONS_PER_SECOND = 600;
    private static final long NANOS_BETWEEN_TRANSACTIONS = 1_000_000_000L / TRANSACTIONS_PER_SECOND;
    /** Further behind than this (a stalled source), the schedule restarts from now rather than burst to catch up. */
    private static final long MAX_LAG_NANOS = 1_000_000_000L;
    private final Connection connection;
    private final Thread thread;
    private volatile boolean stop;

    /** Creates the tables in {@code db}: {@code fillerRows} rows make the base copy last. */
    static void createSchema(PgCluster cluster, String db, int fillerRows) {
        cluster.execute(db, """
                CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric(12,2) NOT NULL, note text);
                INSERT INTO accounts SELECT g, mod(g, 1000), 'acct ' || g FROM generate_series(1, 20000) g;
                CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
                INSERT INTO docs SELECT g, 'doc ' || g, (SELECT string_agg(md5(g::text || i::text), '')
                    FROM generate_series(1, 400) i) FROM generate_series(1, 300) g;
                CREATE TABLE events (at timestamptz NOT NULL DEFAULT now(), v text);
                INSERT INTO events (v) SELECT 'e' || g FROM generate_series(1, 5000) g;
                CREATE TABLE filler (id bigint PRIMARY KEY, payload text);
                INSERT INTO filler SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, %d) g;
                """.formatted(fillerRows));
    }

    MixedWorkload(PgCluster cluster, String db, long seed) throws SQLException {
        this.connection = cluster.connect(db);
        this.thread = new Thread(() -> run(new SplittableRandom(seed)), "mixed-workload-" + db);
        thread.setDaemon(true);
    }

    MixedWorkload start() {
        thread.start();
        return this;
    }

    long total() {
        return inserts.get() + updates.get() + deletes.get();
    }

    private void run(SplittableRandom random) {
        Deque<Long> accounts = new ArrayDeque<>();
        Deque<String> events = new ArrayDeque<>();
        long nextId = 1_000_000;
        long nextEvent = 0;
        try (PreparedStatement insertAccount = connection.prepareStatement(
                     "INSERT INTO accounts VALUES (?, 10.50, 'it''s \"new\"')");
             PreparedStatement updateAccount = connection.prepareStatement(
                     "UPDATE accounts SET balance = balance + 1 WHERE id = ?");
             PreparedStatement deleteAccount = connection.prepareStatement("DELETE FROM accounts WHERE id = ?");
             PreparedStatement retitle = connection.prepareStatement("UPDATE docs SET title = title || '.' WHERE id = ?");
             PreparedStatement rewrite = connection.prepareStatement(
                     "UPDATE docs SET body = repeat(md5(random()::text), 300) WHERE id = ?");
             PreparedStatement insertEvent = connection.prepareStatement("INSERT INTO events (v) VALUES (?)");
             PreparedStatement updateEvent = connection.prepareStatement("UPDATE events SET v = ? WHERE v = ?");
             PreparedStatement deleteEvent = connection.prepareStatement("DELETE FROM events WHERE v = ?")) {
            long due = System.nanoTime();
            while (!stop) {
                due += NANOS_BETWEEN_TRANSACTIONS;
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    LockSupport.parkNanos(ahead); // pacing a load generator, not waiting for a state
                } else if (-ahead > MAX_LAG_NANOS) {
                    due = System.nanoTime();
                }
                int op = random.nextInt(10);
                if (op == 0 || op == 1 || op == 2 && accounts.isEmpty()) {
                    insertAccount.setLong(1, nextId);
                    inserts.addAndGet(insertAccount.executeUpdate());
                    accounts.add(nextId++);
                } else if (op == 2) {
                    deleteAccount.setLong(1, accounts.poll());
                    deletes.addAndGet(deleteAccount.executeUpdate());
                } else if (op == 3) {
                    updateAccount.setLong(1, 1 + random.nextInt(20000));
                    updates.addAndGet(updateAccount.executeUpdate());
                } else if (op == 4) {
                    retitle.setInt(1, 1 + random.nextInt(300)); // the TOASTed body is left unchanged
                    updates.addAndGet(retitle.executeUpdate());
                } else if (op == 5) {
                    // one transaction of two statements: a new TOAST value and a new row
                    connection.setAutoCommit(false);
                    rewrite.setInt(1, 1 + random.nextInt(300));
                    int u = rewrite.executeUpdate();
                    insertAccount.setLong(1, nextId);
                    int i = insertAccount.executeUpdate();
                    connection.commit();
                    connection.setAutoCommit(true);
                    updates.addAndGet(u);
                    inserts.addAndGet(i);
                    accounts.add(nextId++);
                } else if (op == 6 || op == 7 || events.isEmpty()) {
                    String v = "w" + nextEvent++;
                    insertEvent.setString(1, v);
                    inserts.addAndGet(insertEvent.executeUpdate());
                    events.add(v);
                } else if (op == 8) {
                    String old = events.poll();
                    String v = old + "u";
                    updateEvent.setString(1, v);
                    updateEvent.setString(2, old);
                    updates.addAndGet(updateEvent.executeUpdate());
                    events.add(v);
                } else {
                    deleteEvent.setString(1, events.poll());
                    deletes.addAndGet(deleteEvent.executeUpdate());
                }
            }
        } catch (SQLException | RuntimeException e) {
            failure.set(e);
        }
    }

    /** Stops the writes and waits for the last transaction to end. */
    @Override
    public void close() throws Exception {
        stop = true;
        thread.join(30_000);
        connection.close();
    }
}
