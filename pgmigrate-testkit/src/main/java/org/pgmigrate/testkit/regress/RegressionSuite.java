package org.pgmigrate.testkit.regress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.cluster.PgDistribution;

/**
 * PostgreSQL's own regression suite, as a source of a database with every built-in type and most kinds of object:
 * {@link #installcheck} runs {@code pg_regress} against a {@link PgCluster} and leaves behind the {@code regression}
 * database that {@code make installcheck} leaves (about 540 tables of PostgreSQL 15).
 *
 * <p>The suite is built once from Debian's source package of the installed server (same version, so
 * {@code regress.so} matches the running server) by {@code build-pg-regress.sh}, and cached in
 * {@code ~/.cache/pgmigrate/pg-regress-<package version>} (or under the folder named by the system property
 * {@code pgmigrate.regress.cache}). A file lock keeps two JVMs from building it at the same time.
 *
 * <p>Only the slow tests use it: the default test command never builds anything.
 */
public final class RegressionSuite {

    /** The commands the build needs; {@code apt-get install gcc make libc6-dev dpkg-dev} provides them on Debian. */
    private static final List<String> BUILD_TOOLS = List.of("gcc", "make", "perl", "dpkg-source");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final Pattern SUMMARY = Pattern.compile("(?:All (\\d+) tests passed|(\\d+) of (\\d+) tests failed)");

    private final int major;
    private final Path directory;
    private final Duration buildTime;

    private RegressionSuite(int major, Path directory, Duration buildTime) {
        this.major = major;
        this.directory = directory;
        this.buildTime = buildTime;
    }

    /**
     * Why the suite cannot be built here, if it cannot: a build tool is missing and cannot be installed (the build
     * installs gcc, make, libc6-dev and dpkg-dev with apt-get when it runs as root), or this is not a Debian
     * system with PostgreSQL from its packages. Empty when {@link #forMajor} can build it, or it is in the cache.
     */
    public static Optional<String> whyNotBuildable(int major) {
        if (!onPath("apt-get") || !onPath("dpkg-query")) {
            return Optional.of("building PostgreSQL's regression suite needs Debian's apt-get and dpkg-query");
        }
        Optional<String> version = installedVersion(major);
        if (version.isEmpty()) {
            return Optional.of("the regression suite is built for the postgresql-" + major + " Debian package, which"
                    + " is not installed");
        }
        if (Files.exists(cacheDirectory(major, version.get()).resolve("COMPLETE"))) {
            return Optional.empty();
        }
        List<String> missing = BUILD_TOOLS.stream().filter(tool -> !onPath(tool)).toList();
        if (!missing.isEmpty() && !ROOT) {
            return Optional.of("building PostgreSQL's regression suite needs " + String.join(", ", missing)
                    + ": apt-get install gcc make libc6-dev dpkg-dev perl");
        }
        return Optional.empty();
    }

    /**
     * The cached suite of the installed {@code postgresql-<major>} package, built first if it is not there yet (a
     * few minutes, once per package version).
     */
    public static RegressionSuite forMajor(int major) {
        String version = installedVersion(major).orElseThrow(() -> new IllegalStateException(
                whyNotBuildable(major).orElse("postgresql-" + major + " is not installed")));
        Path cache = cacheDirectory(major, version);
        long started = System.nanoTime();
        try {
            Files.createDirectories(cache.getParent());
            try (FileChannel lockFile = FileChannel.open(cache.resolveSibling(cache.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockFile.lock()) {
                if (!Files.exists(cache.resolve("COMPLETE"))) {
                    build(major, version, cache);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot build the regression suite into " + cache + ": " + e.getMessage(), e);
        }
        return new RegressionSuite(major, cache, Duration.ofNanos(System.nanoTime() - started));
    }

    /** The folder holding pg_regress, the libraries and the test files. */
    public Path directory() {
        return directory;
    }

    /** How long {@link #forMajor} took: the build, or about nothing when the cache was there. */
    public Duration buildTime() {
        return buildTime;
    }

    /** "postgresql-15 15.18-0+deb12u1": the source package the suite was built from. */
    public String builtFrom() {
        try {
            return Files.readString(directory.resolve("COMPLETE")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the suite's {@code parallel_schedule} against {@code cluster} one test at a time, as {@code make
     * installcheck} does. It (re)creates the {@code regression} database and leaves it behind.
     *
     * @throws IllegalStateException when pg_regress could not run the tests at all; failed tests are reported in
     *                               the result, not thrown (the database is there either way)
     */
    public Result installcheck(PgCluster cluster) {
        if (cluster.majorVersion() != major) {
            throw new IllegalArgumentException("The regression suite of PostgreSQL " + major + " cannot run on "
                    + cluster + ": regress.so must match the server");
        }
        // The server loads the libraries, reads data/*.data and writes results/* itself: all of it must live where
        // the server's OS user can read and write, which a cache under root's home is not.
        Path run = cluster.serverDirectory("regress");
        copyTree(directory, run);
        cluster.serverDirectory("regress/results");
        List<String> command = List.of(run.resolve("pg_regress").toString(),
                "--inputdir=" + run, "--outputdir=" + run, "--dlpath=" + run,
                "--bindir=" + PgDistribution.forMajor(major).binDir(),
                "--host=" + cluster.host(), "--port=" + cluster.port(), "--user=" + cluster.superuser(),
                "--schedule=" + run.resolve("parallel_schedule"), "--max-connections=1", "--max-concurrent-tests=20");
        long started = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(command).directory(run.toFile()).redirectErrorStream(true)
                .redirectOutput(run.resolve("pg_regress.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("PGPASSWORD", cluster.password());
        env.put("LC_ALL", "C");
        env.remove("PGDATABASE");
        int exit = runToEnd(pb);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String log = read(run.resolve("pg_regress.log"));
        Matcher m = SUMMARY.matcher(log);
        if (!m.find()) {
            throw new IllegalStateException("pg_regress exited with " + exit + " without running the tests:\n" + tail(log));
        }
        int total = m.group(1) != null ? Integer.parseInt(m.group(1)) : Integer.parseInt(m.group(3));
        int failed = m.group(2) != null ? Integer.parseInt(m.group(2)) : 0;
        List<String> failures = log.lines().filter(l -> l.contains("... FAILED")).map(String::strip).toList();
        return new Result(total, failed, failures, took, run.resolve("regression.diffs"));
    }

    /**
     * @param diffs where pg_regress wrote the differences of failed tests
     */
    public record Result(int tests, int failed, List<String> failures, Duration took, Path diffs) {
    }

    /** {@code ~/.cache/pgmigrate/pg-regress-15.18-0+deb12u1}, or under the folder {@code pgmigrate.regress.cache}. */
    static Path cacheDirectory(int major, String packageVersion) {
        String configured = System.getProperty("pgmigrate.regress.cache");
        Path base = configured != null && !configured.isBlank() ? Path.of(configured).toAbsolutePath()
                : Path.of(System.getProperty("user.home"), ".cache", "pgmigrate");
        String version = packageVersion.startsWith(major + ".") ? packageVersion : major + "-" + packageVersion;
        return base.resolve("pg-regress-" + version.replaceAll("[^A-Za-z0-9.+~_-]", "_"));
    }

    /** The installed Debian package's version, e.g. "15.18-0+deb12u1". */
    private static Optional<String> installedVersion(int major) {
        if (!onPath("dpkg-query")) {
            return Optional.empty();
        }
        ProcessBuilder pb = new ProcessBuilder("dpkg-query", "-W", "-f", "${Version}", "postgresql-" + major);
        try {
            Process p = pb.redirectErrorStream(false).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.getErrorStream().close();
            return p.waitFor() == 0 && !out.isEmpty() ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static void build(int major, String version, Path cache) throws IOException {
        Path script = Files.createTempFile("build-pg-regress", ".sh");
        try {
            try (InputStream in = RegressionSuite.class.getResourceAsStream("build-pg-regress.sh")) {
                if (in == null) {
                    throw new IllegalStateException("build-pg-regress.sh is missing from the testkit's resources");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            Path log = cache.resolveSibling(cache.getFileName() + ".build.log");
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), Integer.toString(major), cache.toString(), version)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            int exit = runToEnd(pb);
            if (exit != 0) {
                throw new IllegalStateException("Building PostgreSQL " + major + "'s regression suite failed (exit "
                        + exit + "); the end of " + log + ":\n" + tail(read(log)));
            }
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static int runToEnd(ProcessBuilder pb) {
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            return p.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + pb.command().get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted running " + pb.command().get(0), e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static boolean onPath(String command) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
