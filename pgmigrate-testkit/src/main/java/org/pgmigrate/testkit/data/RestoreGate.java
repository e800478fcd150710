package org.pgmigrate.testkit.data;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * Holds a schema restore at a chosen statement, deterministically, so that a test can kill the migration there.
 *
 * <p>The source database gets a function {@code public.restore_gate(text)} that, on a server where a role of that
 * name exists, runs {@code COMMENT ON ROLE}, which takes a self-conflicting lock on the role. On the source (no such
 * role) it does nothing. {@link #preDataObjects} makes pre-data call it (a domain whose CHECK calls it and an
 * aggregate whose INITCOND of that domain CREATE AGGREGATE validates); {@link #postDataObjects} makes post-data call
 * it (a materialized view whose refresh, the last step of post-data, calls it). A test then {@link #hold}s the gate
 * on the target: it creates the role and holds that lock in an open transaction, and pg_restore's statement waits
 * for it, visibly in pg_locks, until {@link #open}. Roles are cluster-wide, so the gate works in a target database
 * that the migration has not created yet.
 */
public final class RestoreGate implements AutoCloseable {

    private static final String APPLICATION = "pgmigrate-pg_restore";

    private final PgCluster target;
    private final String role;
    private final Connection holder;

    private RestoreGate(PgCluster target, String role, Connection holder) {
        this.target = target;
        this.role = role;
        this.holder = holder;
    }

    /** The gate function; run once in the source database before the objects. */
    public static String functionSql() {
        return """
                CREATE FUNCTION public.restore_gate(gate text) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN
                  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = gate) THEN
                    EXECUTE 'COMMENT ON ROLE ' || pg_catalog.quote_ident(gate) || ' IS NULL';
                  END IF;
                  RETURN true;
                END$$;
                """;
    }

    /** Objects whose restore in pre-data (after types and functions, before tables) passes the gate {@code role}. */
    public static String preDataObjects(String role) {
        return "CREATE DOMAIN public.gated_int AS int CHECK (public.restore_gate('" + role + "'));\n"
                + "CREATE FUNCTION public.gated_add(public.gated_int, int) RETURNS public.gated_int LANGUAGE sql"
                + " AS 'SELECT ($1 + $2)::public.gated_int';\n"
                + "CREATE AGGREGATE public.gated_sum(int) (SFUNC = public.gated_add, STYPE = public.gated_int,"
                + " INITCOND = '0');\n";
    }

    /** A materialized view whose refresh, at the end of post-data, passes the gate {@code role}. */
    public static String postDataObjects(String role) {
        return "CREATE MATERIALIZED VIEW public.gated_view AS SELECT public.restore_gate('" + role + "') AS passed;\n";
    }

    /** Holds the gate {@code role} closed on {@code target}: restores that reach it wait until {@link #open}. */
    public static RestoreGate hold(PgCluster target, String role) throws SQLException {
        target.execute("postgres", "CREATE ROLE \"" + role + "\"");
        Connection holder = target.connect("postgres");
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.execute("COMMENT ON ROLE \"" + role + "\" IS 'closed'");
        }
        return new RestoreGate(target, role, holder);
    }

    /**
     * Waits until a pg_restore session other than {@code except} waits at the gate, and returns its pid.
     *
     * @throws IllegalStateException after {@code timeout}
     */
    public int awaitWaiter(Duration timeout, Set<Integer> except) throws SQLException, InterruptedException {
        return awaitWaiter(APPLICATION, timeout, except);
    }

    /**
     * Waits until a session named {@code applicationName}, other than {@code except}, waits at the gate (a domain
     * CHECK that calls the gate holds a COPY at one row, for instance), and returns its pid.
     */
    public int awaitWaiter(String applicationName, Duration timeout, Set<Integer> except)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = target.connect("postgres"); PreparedStatement ps = c.prepareStatement(
                "SELECT a.pid FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
                        + " WHERE NOT l.granted AND l.locktype = 'object'"
                        + " AND l.classid = 'pg_catalog.pg_authid'::pg_catalog.regclass"
                        + " AND l.objid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = ?)"
                        + " AND a.application_name = ?")) {
            ps.setString(1, role);
            ps.setString(2, applicationName);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!except.contains(rs.getInt(1))) {
                            return rs.getInt(1);
                        }
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("No pg_restore reached the gate " + role + " within " + timeout);
    }

    /** True while a backend with this pid exists on the target. */
    public boolean isConnected(int pid) throws SQLException {
        try (Connection c = target.connect("postgres");
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Lets waiting and later restores through. */
    public void open() throws SQLException {
        if (!holder.isClosed()) {
            holder.rollback();
            holder.close();
        }
    }

    /** Opens the gate and drops its role. */
    @Override
    public void close() throws SQLException {
        open();
        target.execute("postgres", "DROP ROLE IF EXISTS \"" + role + "\"");
    }
}
