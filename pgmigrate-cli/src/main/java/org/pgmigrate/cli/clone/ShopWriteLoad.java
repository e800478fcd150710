package org.pgmigrate.cli.clone;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;

/**
 * The online demo's write load on the sample shop database: {@code sessions} connections, each committing small
 * transactions at its share of {@code transactionsPerSecond}. The mix: new orders with order lines (one in four with
 * a TOASTed note of incompressible text), status changes that leave the TOASTed note unchanged, edits of TOASTed
 * notes, price and jsonb updates, order deletes (cascading to order lines), partitioned event inserts, and updates and
 * deletes of {@code shop.audit_log}, the keyless table the orders trigger writes to (replicated with REPLICA IDENTITY
 * FULL; the audit statements look rows up by {@code what}, which the demo indexes).
 *
 * <p>Each session works on rows it created itself (and on random existing rows for single-row updates), one kind of
 * change per transaction, so sessions rarely wait on each other; a deadlock or serialization failure is rolled back
 * and counted, anything else stops the load and is reported by {@link #stop()}. Thread-safe: the counters may be read
 * from any thread. {@link #start()} once, {@link #stop()} once (it blocks until every session has finished its
 * transaction).
 */
final class ShopWriteLoad implements AutoCloseable {

    /** Opens one session to the shop database; called once per writer thread. */
    interface Sessions {
        Connection open() throws SQLException;
    }

    private static final int KEEP_OWN_ORDERS = 500;

    final AtomicLong transactions = new AtomicLong();
    final AtomicLong inserts = new AtomicLong();
    final AtomicLong updates = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    final AtomicLong retried = new AtomicLong();

    private final Sessions sessions;
    private final int writers;
    private final int transactionsPerSecond;
    private final int orders;
    private final long seed;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;

    /**
     * @param orders the sample database's size ({@code --rows}): existing orders are 1..orders, customers and
     *               products scale with it as {@code sample-data.sql} does
     */
    ShopWriteLoad(Sessions sessions, int writers, int transactionsPerSecond, int orders, long seed) {
        if (writers < 1 || transactionsPerSecond < 1) {
            throw new IllegalArgumentException("writers and transactions per second must be at least 1, were " + writers
                    + " and " + transactionsPerSecond);
        }
        this.sessions = sessions;
        this.writers = writers;
        this.transactionsPerSecond = transactionsPerSecond;
        this.orders = orders;
        this.seed = seed;
    }

    void start() {
        for (int i = 0; i < writers; i++) {
            int session = i;
            Thread t = new Thread(() -> run(session), "pgmigrate-demo-writer-" + (i + 1));
            t.setDaemon(true); // never keeps the JVM alive after a failure of the demo
            threads.add(t);
            t.start();
        }
    }

    boolean running() {
        return !stopping && failure.get() == null;
    }

    /** The first session's failure, or null. */
    Throwable failure() {
        return failure.get();
    }

    /** Stops after each session's current transaction and waits for them; throws if a session failed. */
    void stop() {
        stopping = true;
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while stopping the demo's write load", e);
            }
        }
        Throwable f = failure.get();
        if (f != null) {
            throw new CliException(ExitCode.FAILED, "The demo's write load failed (seed " + seed + "): " + f.getMessage(), f);
        }
    }

    @Override
    public void close() {
        stopping = true;
    }

    long changes() {
        return inserts.get() + updates.get() + deletes.get();
    }

    private void run(int session) {
        Random random = new Random(seed + session);
        long intervalNanos = TimeUnit.SECONDS.toNanos(writers) / transactionsPerSecond;
        long next = System.nanoTime();
        try (Connection c = sessions.open(); Statements s = new Statements(c)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET application_name = 'pgmigrate-demo-load'");
            }
            c.commit();
            Writer writer = new Writer(s, random, session);
            while (!stopping) {
                try {
                    writer.oneTransaction();
                    c.commit();
                    transactions.incrementAndGet();
                } catch (SQLException e) {
                    c.rollback();
                    if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                        throw e;
                    }
                    retried.incrementAndGet();
                }
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing to the requested rate, not synchronization
                } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                    next = System.nanoTime(); // behind by more than a second: do not burst to catch up
                }
            }
        } catch (SQLException | RuntimeException e) {
            failure.compareAndSet(null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One session's transactions; its own orders are the ones it may edit or delete. */
    private final class Writer {
        private final Statements s;
        private final Random random;
        private final ArrayDeque<Integer> ownOrders = new ArrayDeque<>();
        private long nextEventId;

        Writer(Statements s, Random random, int session) {
            this.s = s;
            this.random = random;
            this.nextEventId = 1_000_000_000L * (session + 1);
        }

        void oneTransaction() throws SQLException {
            int kind = random.nextInt(10);
            Integer own = ownOrders.isEmpty() ? null : ownOrders.peekFirst();
            if (kind <= 2 || own == null) {
                newOrder();
            } else if (kind == 3) {
                updates.addAndGet(update(s.status, random.nextBoolean() ? own : 1 + random.nextInt(orders)));
            } else if (kind == 4) {
                updates.addAndGet(update(s.editNote, ownOrders.peekLast()));
            } else if (kind == 5) {
                s.price.setString(1, "SKU-" + (1 + random.nextInt(Math.max(orders / 20, 20))));
                updates.addAndGet(s.price.executeUpdate());
            } else if (kind == 6 && ownOrders.size() > 20) {
                int order = ownOrders.pollFirst();
                s.deleteAudit.setInt(2, order);
                deletes.addAndGet(update(s.deleteAudit, order));
                deletes.addAndGet(update(s.deleteOrder, order)); // its order lines go by ON DELETE CASCADE
            } else if (kind == 7) {
                updates.addAndGet(update(s.reviewAudit, ownOrders.peekLast()));
            } else {
                s.event.setLong(1, nextEventId++);
                s.event.setInt(2, random.nextInt(700));
                s.event.setString(3, "demo" + random.nextInt(5));
                inserts.addAndGet(s.event.executeUpdate());
            }
        }

        private void newOrder() throws SQLException {
            s.order.setLong(1, 1 + random.nextInt(Math.max(orders / 10, 10)));
            s.order.setString(2, Long.toString(random.nextInt(1_000_000)));
            s.order.setString(3, Long.toHexString(random.nextLong()));
            s.order.setInt(4, random.nextInt(4) == 0 ? 300 : 0); // 9600 hex digits: TOASTed out of line
            int id;
            try (ResultSet rs = s.order.executeQuery()) {
                rs.next();
                id = rs.getInt(1);
            }
            inserts.incrementAndGet();
            int lines = 1 + random.nextInt(3);
            for (int line = 1; line <= lines; line++) {
                s.line.setInt(1, id);
                s.line.setInt(2, line);
                s.line.setString(3, "SKU-" + (1 + random.nextInt(Math.max(orders / 20, 20))));
                s.line.setInt(4, 1 + random.nextInt(5));
                s.line.addBatch();
            }
            s.line.executeBatch();
            inserts.addAndGet(lines);
            ownOrders.addLast(id);
            if (ownOrders.size() > KEEP_OWN_ORDERS) {
                ownOrders.pollFirst();
            }
        }

        private int update(PreparedStatement ps, int order) throws SQLException {
            ps.setInt(1, order);
            return ps.executeUpdate();
        }
    }

    /** The prepared statements of one session; values always go through binds. */
    private static final class Statements implements AutoCloseable {
        final PreparedStatement order;
        final PreparedStatement line;
        final PreparedStatement status;
        final PreparedStatement editNote;
        final PreparedStatement price;
        final PreparedStatement deleteAudit;
        final PreparedStatement deleteOrder;
        final PreparedStatement reviewAudit;
        final PreparedStatement event;

        Statements(Connection c) throws SQLException {
            // A note of n md5 hashes (32 hex digits each) does not compress below the TOAST threshold: it is stored
            // out of line, so later updates that do not touch it stream it as an unchanged TOAST value.
            order = c.prepareStatement("INSERT INTO shop.orders (customer_id, status, total, placed_at, note)"
                    + " VALUES (?, 'new', ?::numeric / 100, now(), (SELECT coalesce(string_agg(md5(g::text || ?), ''),"
                    + " 'demo order') FROM generate_series(1, ?::int) g)) RETURNING id");
            line = c.prepareStatement("INSERT INTO shop.order_lines (order_id, line, sku, qty) VALUES (?, ?, ?, ?)");
            status = c.prepareStatement("UPDATE shop.orders SET status = CASE status WHEN 'new' THEN 'paid'"
                    + " WHEN 'paid' THEN 'shipped' ELSE status END WHERE id = ?");
            editNote = c.prepareStatement("UPDATE shop.orders SET note = note || ' (edited)' WHERE id = ?");
            price = c.prepareStatement("UPDATE shop.products SET price = price + 0.01,"
                    + " attrs = jsonb_set(coalesce(attrs, '{}'), '{demo}', to_jsonb(now()::text)) WHERE sku = ?");
            deleteAudit = c.prepareStatement("DELETE FROM shop.audit_log WHERE what IN ('INSERT orders ' || ?::int,"
                    + " 'UPDATE orders ' || ?::int)");
            deleteOrder = c.prepareStatement("DELETE FROM shop.orders WHERE id = ?");
            reviewAudit = c.prepareStatement("UPDATE shop.audit_log SET who = 'reviewer' WHERE what = 'INSERT orders '"
                    + " || ? AND who IS DISTINCT FROM 'reviewer'");
            event = c.prepareStatement("INSERT INTO shop.events (id, at, kind, payload) VALUES (?, date '2025-01-01' + ?,"
                    + " ?, jsonb_build_object('demo', true))");
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement ps : List.of(order, line, status, editNote, price, deleteAudit, deleteOrder,
                    reviewAudit, event)) {
                ps.close();
            }
        }
    }
}
