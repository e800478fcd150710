package org.pgmigrate.testkit.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.postgresql.PGConnection;

/**
 * A throwaway PostgreSQL cluster of a chosen major version (9.5, 9.6, 10 to 18) on a free loopback port. Majors
 * are ints, with 95 and 96 for 9.5 and 9.6 ({@link PgDistribution}).
 *
 * <pre>{@code
 * try (PgCluster source = PgCluster.builder().version(11).start()) {
 *     source.execute("postgres", "CREATE DATABASE shop");
 * }
 * }</pre>
 *
 * <p>Every cluster has {@code wal_level=logical} unless told otherwise, password authentication over TCP for a
 * superuser with a random password, and no Unix socket. When the build keeps {@link ClusterTemplates cluster
 * templates}, the data directory is a copy of initdb's output instead of a new initdb. {@link #close()} stops it
 * and deletes its files; a JVM shutdown hook does the same for clusters a failing test never closed. Server
 * commands run as the {@code postgres} OS user when the JVM is root.
 *
 * <p>Not thread-safe for start/stop; connections may be opened from any thread.
 */
public final class PgCluster implements AutoCloseable {

    private static final Set<PgCluster> RUNNING = ConcurrentHashMap.newKeySet();
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(PgCluster::close), "pgcluster-cleanup"));
    }

    private final PgDistribution distribution;
    private final Path root;
    private final Path dataDir;
    private final Path logFile;
    private final String password;
    private final boolean keepFiles;
    private int port;
    private boolean running;

    private PgCluster(PgDistribution distribution, Path root, String password, boolean keepFiles) {
        this.distribution = distribution;
        this.root = root;
        this.dataDir = root.resolve("data");
        this.logFile = root.resolve("server.log");
        this.password = password;
        this.keepFiles = keepFiles;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** 10 to 18, or 95 and 96 for 9.5 and 9.6: compare with {@link #olderThan}, not with {@code <}. */
    public int majorVersion() {
        return distribution.major();
    }

    /** The major as PostgreSQL names it: "9.6", "15". */
    public String versionLabel() {
        return distribution.label();
    }

    /** True when this cluster's major is older than {@code major} (same int form as {@link Builder#version}). */
    public boolean olderThan(int major) {
        return order(distribution.major()) < order(major);
    }

    private static int order(int major) {
        return major >= 90 ? major - 90 : major * 10; // 95 -> 5, 96 -> 6, 10 -> 100
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String superuser() {
        return "postgres";
    }

    public String password() {
        return password;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** A libpq URI for {@code database} with the superuser's credentials, as a user would pass to pgmigrate. */
    public String uri(String database) {
        return uri(database, superuser(), password);
    }

    public String uri(String database, String user, String userPassword) {
        return "postgresql://" + encode(user) + ":" + encode(userPassword) + "@" + host() + ":" + port + "/" + encode(database);
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), superuser(), password);
    }

    /** Runs {@code sql} (one or more statements) in {@code database} with autocommit. */
    public void execute(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("On " + this + "/" + database + ": " + e.getMessage() + "\nSQL: " + abbreviate(sql), e);
        }
    }

    public void createDatabase(String name) {
        execute("postgres", "CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
    }

    /** Sets a server parameter with ALTER SYSTEM; call {@link #restart()} or {@link #reload()} for it to take effect. */
    public void alterSystem(String parameter, String value) {
        execute("postgres", "ALTER SYSTEM SET " + parameter + " = '" + value.replace("'", "''") + "'");
    }

    public void reload() {
        execute("postgres", "SELECT pg_reload_conf()");
    }

    public void restart() {
        pgCtl("restart", "-m", "fast", "-w", "-t", "120", "-l", logFile.toString());
    }

    /** Stops the server cleanly; {@link #startAgain()} brings it back with the same data and port. */
    public void stop() {
        if (running) {
            pgCtl("stop", "-m", "fast", "-w", "-t", "120");
            running = false;
        }
    }

    /** Kills the postmaster with SIGKILL, as a crash would; {@link #startAgain()} then recovers. */
    public void kill() {
        try {
            String pid = Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim();
            run(List.of("kill", "-9", pid));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.exists(Path.of("/proc", pid)) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            running = false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot kill " + this, e);
        }
    }

    public void startAgain() {
        pgCtl("start", "-w", "-t", "120", "-l", logFile.toString());
        running = true;
    }

    /**
     * Leaves the server running after this JVM exits (the demo's --keep): it is no longer stopped by
     * {@link #close()} or the shutdown hook; stop it with pg_ctl.
     */
    public void detach() {
        RUNNING.remove(this);
    }

    /** Stops the server at once and deletes its files (unless kept with {@link Builder#keepFiles()}). */
    @Override
    public void close() {
        if (!RUNNING.remove(this)) {
            return;
        }
        try {
            if (running && Files.exists(dataDir.resolve("postmaster.pid"))) {
                pgCtl("stop", "-m", "immediate", "-w", "-t", "60");
            }
        } catch (RuntimeException e) {
            System.err.println("pgcluster: could not stop " + this + ": " + e.getMessage());
        } finally {
            running = false;
            if (!keepFiles) {
                deleteTree(root);
            }
        }
    }

    /**
     * A folder inside this cluster's own directory, created if missing and owned by the server's OS user: for files
     * the server itself reads or writes (COPY to or from a file, C libraries to load). Deleted with the cluster.
     */
    public Path serverDirectory(String relativePath) {
        Path dir = root.resolve(relativePath).normalize();
        if (!dir.startsWith(root)) {
            throw new IllegalArgumentException(relativePath + " is not inside " + root);
        }
        try {
            Files.createDirectories(dir);
            OsUser.handOver(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir, e);
        }
    }

    public String serverLog() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL " + distribution.label() + " on " + host() + ":" + port;
    }

    /**
     * Makes the data directory: a copy of the {@link ClusterTemplates template} of its kind when the build keeps
     * templates, or initdb's output. Returns the superuser's password in it: the template's, which
     * {@link #takeOwnPassword} replaces once the server runs, or this cluster's own.
     */
    private String initialize(Builder options) throws IOException {
        Files.createDirectories(root);
        OsUser.handOver(root);
        ClusterTemplates.InitDb initdb = new ClusterTemplates.InitDb(superuser(), options.encoding, options.locale);
        Optional<ClusterTemplates> templates = ClusterTemplates.configured();
        String initialPassword = password;
        if (templates.isPresent()) {
            initialPassword = templates.get().copyTo(dataDir, distribution, initdb).password();
        } else {
            initdb.run(distribution, dataDir, password);
        }

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", "'127.0.0.1'");
        settings.put("unix_socket_directories", "''");
        settings.put("wal_level", options.walLevel);
        settings.put("max_replication_slots", "16");
        settings.put("max_wal_senders", "16");
        settings.put("max_connections", "100");
        settings.put("shared_buffers", "'128MB'");
        settings.put("log_min_messages", "warning");
        settings.put("log_line_prefix", "'%m [%p] %q%u@%d '");
        if (!options.durable) {
            // Throwaway clusters: a power loss is not a case we test, and fsync costs seconds per test.
            settings.put("fsync", "off");
            settings.put("full_page_writes", "off");
            settings.put("synchronous_commit", "off");
        }
        settings.putAll(options.settings);
        StringBuilder conf = new StringBuilder("\n# pgmigrate testkit\n");
        settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(dataDir.resolve("postgresql.conf"), conf.toString(), java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(logFile, "");
        OsUser.handOver(logFile);
        return initialPassword;
    }

    /**
     * Replaces the template's superuser password with this cluster's own. pgjdbc sends only the hash (SCRAM or md5,
     * as the server's password_encryption says), so the password reaches no server log or statistics view. Before
     * 10, password_encryption is on or off, which pgjdbc takes for SCRAM: those servers are told md5.
     */
    private void takeOwnPassword(String templatePassword) throws SQLException {
        if (templatePassword.equals(password)) {
            return;
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), superuser(), templatePassword);
             Statement s = c.createStatement()) {
            s.execute("SET log_statement = 'none'"); // nor the hash, on a cluster told to log every statement
            c.unwrap(PGConnection.class).alterUserPassword(superuser(), password.toCharArray(),
                    olderThan(10) ? "md5" : null);
        }
    }

    private void startOnFreePort() {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= 5; attempt++) {
            port = freePort();
            try {
                pgCtl("start", "-w", "-t", "120", "-l", logFile.toString(), "-o", "-p " + port);
                running = true;
                return;
            } catch (RuntimeException e) {
                last = e; // most likely another process took the port between probe and bind
            }
        }
        throw new IllegalStateException("Could not start " + this + "; server log:\n" + serverLog(), last);
    }

    private void pgCtl(String... args) {
        List<String> command = new ArrayList<>(List.of(distribution.pgCtl().toString(), "-D", dataDir.toString()));
        command.addAll(List.of(args));
        if ((args[0].equals("start") || args[0].equals("restart")) && !List.of(args).contains("-o")) {
            command.addAll(List.of("-o", "-p " + port));
        }
        run(OsUser.asServerUser(command));
    }

    static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted running " + command.get(0), e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }

    static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("pgcluster: could not delete " + path + ": " + e.getMessage());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String sql) {
        return sql.length() > 500 ? sql.substring(0, 500) + "..." : sql;
    }

    /** Options of a cluster; {@link #start()} creates and starts it. */
    public static final class Builder {
        private int version = 15;
        private String name = "pg";
        private Path baseDir = Path.of("target", "pgclusters");
        private String walLevel = "logical";
        private String encoding = "UTF8";
        private String locale = "C";
        private boolean durable;
        private boolean keepFiles;
        private final Map<String, String> settings = new LinkedHashMap<>();

        /** 10 to 18, or 95 and 96 for 9.5 and 9.6. */
        public Builder version(int major) {
            if (major != 95 && major != 96 && (major < 10 || major > 18)) {
                throw new IllegalArgumentException("version must be 95 (9.5), 96 (9.6) or 10 to 18, was " + major);
            }
            this.version = major;
            return this;
        }

        /** A short label for the folder and logs, such as "source". */
        public Builder name(String label) {
            this.name = label;
            return this;
        }

        public Builder baseDir(Path dir) {
            this.baseDir = dir;
            return this;
        }

        /** {@code wal_level}: logical by default; "replica" to test a source that is not ready for online mode. */
        public Builder walLevel(String level) {
            this.walLevel = level;
            return this;
        }

        public Builder encoding(String serverEncoding) {
            this.encoding = serverEncoding;
            return this;
        }

        public Builder locale(String initdbLocale) {
            this.locale = initdbLocale;
            return this;
        }

        /** Keeps fsync on, for benchmarks that must not flatter anyone. */
        public Builder durable() {
            this.durable = true;
            return this;
        }

        /** Leaves the files behind on close, to read the server log after a failure. */
        public Builder keepFiles() {
            this.keepFiles = true;
            return this;
        }

        /** Any postgresql.conf line; the value is written as given (quote strings yourself). */
        public Builder setting(String parameter, String value) {
            settings.put(parameter, value);
            return this;
        }

        public PgCluster start() {
            PgDistribution distribution = PgDistribution.forMajor(version);
            String password = "pw-" + Long.toHexString(RANDOM.nextLong());
            Path root;
            try {
                Files.createDirectories(baseDir);
                OsUser.handOver(baseDir.toAbsolutePath());
                root = Files.createTempDirectory(baseDir.toAbsolutePath(), name + "-pg" + PgDistribution.label(version) + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a cluster folder under " + baseDir, e);
            }
            PgCluster cluster = new PgCluster(distribution, root, password, keepFiles);
            RUNNING.add(cluster);
            try {
                String initialPassword = cluster.initialize(this);
                cluster.startOnFreePort();
                cluster.takeOwnPassword(initialPassword);
                return cluster;
            } catch (SQLException e) {
                cluster.close();
                throw new IllegalStateException("Cannot set the superuser password of " + cluster + ": " + e.getMessage(), e);
            } catch (IOException e) {
                cluster.close();
                throw new UncheckedIOException("Cannot create " + cluster, e);
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }
    }
}
