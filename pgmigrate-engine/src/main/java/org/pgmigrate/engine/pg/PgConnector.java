package org.pgmigrate.engine.pg;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.postgresql.PGProperty;

/**
 * Opens pgjdbc connections the way every part of pgmigrate wants them: named {@code pgmigrate-<role>} in
 * pg_stat_activity, with explicit timeouts, TCP keepalives, the endpoint's sslmode, the {@link SessionSettings} that
 * keep a hostile database's functions and settings out of pgmigrate's sessions, and failures turned into
 * {@link EngineException}s that say which server, what went wrong and what to do.
 *
 * <p>Every session pgmigrate opens on either server comes from here (or from {@link #baseProperties}).
 *
 * <p>Stateless and thread-safe.
 */
public final class PgConnector {

    /** Which side a connection is on; it picks the error code of an unreachable server. */
    public enum Side { SOURCE, TARGET }

    /**
     * The server's side of the keepalives (any user may set them, PostgreSQL 9.x on; ignored on a Unix socket): a
     * backend whose client vanished is ended within the same time, instead of holding its locks and its snapshot for
     * hours.
     */
    static final String SERVER_KEEPALIVES = " -c tcp_keepalives_idle=" + KeepaliveSocketFactory.IDLE_SECONDS
            + " -c tcp_keepalives_interval=" + KeepaliveSocketFactory.INTERVAL_SECONDS
            + " -c tcp_keepalives_count=" + KeepaliveSocketFactory.COUNT;

    private final int connectTimeoutSeconds;

    public PgConnector() {
        this(15);
    }

    public PgConnector(int connectTimeoutSeconds) {
        if (connectTimeoutSeconds < 1) {
            throw new IllegalArgumentException("connectTimeoutSeconds must be at least 1, was " + connectTimeoutSeconds);
        }
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }

    /** A normal (non-replication) connection, autocommit on. */
    public Connection open(PgEndpoint endpoint, Side side, String role) {
        return open(endpoint, side, role, baseProperties(endpoint, role));
    }

    /**
     * A logical replication connection ({@code replication=database}) for slot commands and START_REPLICATION.
     * Simple query mode and assumeMinServerVersion are what the walsender needs (see cdc-design §1.3).
     */
    public Connection openReplication(PgEndpoint endpoint, String role) {
        Properties p = baseProperties(endpoint, role);
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        return open(endpoint, Side.SOURCE, role, p);
    }

    public Properties baseProperties(PgEndpoint endpoint, String role) {
        Properties p = new Properties();
        if (endpoint.user() != null) {
            PGProperty.USER.set(p, endpoint.user());
        }
        if (endpoint.password() != null) {
            PGProperty.PASSWORD.set(p, endpoint.password());
        }
        PGProperty.APPLICATION_NAME.set(p, "pgmigrate-" + role);
        PGProperty.CONNECT_TIMEOUT.set(p, connectTimeoutSeconds);
        PGProperty.LOGIN_TIMEOUT.set(p, connectTimeoutSeconds);
        // Keepalives with timing of our own, on both ends: a dead server or link is noticed within
        // KeepaliveSocketFactory.deadPeerDetection() (35 s), not the kernel's two hours.
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        PGProperty.SOCKET_FACTORY.set(p, KeepaliveSocketFactory.class.getName());
        // COPY sessions of a non-UTF8 database (SQL_ASCII, LATIN1...) switch client_encoding to the database's own,
        // so that bytes pass unconverted and unvalidated from source to target (pgjdbc otherwise forbids the switch).
        PGProperty.ALLOW_ENCODING_CHANGES.set(p, true);
        PGProperty.SSL_MODE.set(p, endpoint.sslMode().libpqName());
        // COPY and index builds can run for hours without a byte on the wire, so no read timeout: keepalives tell a
        // dead peer from a busy one. Statement-level limits are set per session where needed.
        PGProperty.SOCKET_TIMEOUT.set(p, 0);
        String rootCert = endpoint.options().get("sslrootcert");
        if (rootCert != null) {
            PGProperty.SSL_ROOT_CERT.set(p, rootCert);
        }
        String cert = endpoint.options().get("sslcert");
        if (cert != null) {
            PGProperty.SSL_CERT.set(p, cert);
        }
        String key = endpoint.options().get("sslkey");
        if (key != null) {
            PGProperty.SSL_KEY.set(p, key);
        }
        // Pinned last, so a database's or role's settings, or the user's own options, cannot override them.
        PGProperty.OPTIONS.set(p, SessionSettings.startupOptions(endpoint.options().get("options"))
                + SERVER_KEEPALIVES);
        return p;
    }

    public static String jdbcUrl(PgEndpoint endpoint) {
        String host = endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host();
        String db = endpoint.database() == null ? "postgres" : endpoint.database();
        return "jdbc:postgresql://" + host + ":" + endpoint.port() + "/" + urlEncode(db);
    }

    private Connection open(PgEndpoint endpoint, Side side, String role, Properties properties) {
        try {
            return DriverManager.getConnection(jdbcUrl(endpoint), properties);
        } catch (SQLException e) {
            throw describe(e, endpoint, side);
        }
    }

    /** Turns a failed connection attempt into an error naming the server, the problem and the fix. */
    public static EngineException describe(SQLException e, PgEndpoint endpoint, Side side) {
        String where = side.name().toLowerCase() + " server " + endpoint.address();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        EngineError unreachable = side == Side.SOURCE ? EngineError.SOURCE_UNREACHABLE : EngineError.TARGET_UNREACHABLE;
        switch (state) {
            case "28P01", "28000" -> {
                return new EngineException(EngineError.AUTHENTICATION_FAILED, "Authentication failed on the " + where
                        + " for user '" + endpoint.user() + "': " + withoutPeriod(firstLine(e)) + ". Check the user name and password"
                        + " (and the server's pg_hba.conf).", e);
            }
            case "3D000" -> {
                return new EngineException(EngineError.DATABASE_NOT_FOUND, "Database '" + endpoint.database()
                        + "' does not exist on the " + where + ". Check the name (it is case-sensitive) or create it.", e);
            }
            default -> {
            }
        }
        if ("08004".equals(state) && requiresSsl(endpoint.sslMode()) && firstLine(e).contains("SSL")) {
            // pgjdbc's "The server does not support SSL.": the network is fine, the server has ssl = off.
            return new EngineException(unreachable, "The " + where + " does not accept SSL connections, and sslmode "
                    + endpoint.sslMode().libpqName() + " requires them. Turn SSL on in that server (ssl = on in "
                    + "postgresql.conf, with a certificate and key), or connect with sslmode prefer (or disable) if an "
                    + "unencrypted connection is acceptable.", e);
        }
        Throwable root = rootCause(e);
        if (root instanceof UnknownHostException) {
            return new EngineException(unreachable, "Cannot resolve host '" + endpoint.host() + "' of the " + where
                    + ". Check the host name.", e);
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException) {
            return new EngineException(unreachable, "Cannot connect to the " + where + ": " + withoutPeriod(
                    String.valueOf(root.getMessage())) + ". Is the server running and accepting TCP connections on that port (listen_addresses, firewall)?", e);
        }
        if (endpoint.sslMode().compareTo(SslMode.REQUIRE) >= 0 && firstLine(e).contains("does not support SSL")) {
            return new EngineException(unreachable, "The " + where + " does not support SSL, which sslmode "
                    + endpoint.sslMode().libpqName() + " requires. Turn SSL on in that server (ssl = on, with a "
                    + "certificate), or connect with sslMode Prefer.", e);
        }
        if (root instanceof SocketTimeoutException || "08001".equals(state) || state.startsWith("08")) {
            return new EngineException(unreachable, "Cannot connect to the " + where + ": " + withoutPeriod(firstLine(e))
                    + ". Check the address, the port and the network path.", e);
        }
        return new EngineException(unreachable, "Cannot connect to the " + where + ": " + firstLine(e), e);
    }

    private static boolean requiresSsl(SslMode mode) {
        return mode == SslMode.REQUIRE || mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL;
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }

    /** A driver message that ends its own sentence, made ready for the one that follows it. */
    private static String withoutPeriod(String message) {
        String m = message.strip();
        while (m.endsWith(".")) {
            m = m.substring(0, m.length() - 1);
        }
        return m;
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
