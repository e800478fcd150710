package org.pgmigrate.testkit.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * pg_dump, pg_restore, pg_dumpall and psql of PostgreSQL 17 and 18 on a Debian 12 machine, which ships 15 only. A test
 * with a source of 16 to 18 needs a pg_dump at least that new; the engine finds it through the directory this
 * returns (its {@code PGMIGRATE_PG_BIN_DIR} or tool search path).
 *
 * <p>The tools come from Debian's trixie and sid suites, fetched and unpacked by {@code fetch-pg-clients.sh} without
 * touching the machine's apt setup, into a cache outside {@code target/} ({@code $PGMIGRATE_TEST_CACHE}, else
 * {@code ~/.cache/pgmigrate-test}), so a machine pays for the download (~15 MB, half a minute) once. A PGDG
 * installation in {@code /usr/lib/postgresql/N/bin} is used instead when the machine has one.
 */
public final class NewerPgClients {

    /** The newest major these tools cover; pg_dump 18 reads every source from 9.2 on. */
    public static final int NEWEST = 18;

    private NewerPgClients() {
    }

    /** A bin directory with the client tools of exactly {@code major} (17 or 18), fetched on first use. */
    public static synchronized Path binDir(int major) {
        if (major != 17 && major != 18) {
            throw new IllegalArgumentException("Debian's newer suites carry the clients of 17 and 18, not " + major);
        }
        Path pgdg = Path.of("/usr/lib/postgresql", Integer.toString(major), "bin");
        if (Files.isExecutable(pgdg.resolve("pg_dump"))) {
            return pgdg;
        }
        Path cache = cacheDirectory().resolve("pg-clients");
        Path bin = cache.resolve(Integer.toString(major)).resolve("bin");
        if (!Files.isExecutable(bin.resolve("pg_dump"))) {
            fetch(cache, major);
        }
        return bin;
    }

    /** The client tools able to read a server of {@code sourceMajor}: the OS's for 15 and older, else 17 or 18. */
    public static Path forSource(int sourceMajor) {
        if (sourceMajor <= 15 || sourceMajor >= 90) { // 95 and 96 stand for 9.5 and 9.6
            return Path.of("/usr/lib/postgresql/15/bin");
        }
        return binDir(sourceMajor <= 17 ? 17 : 18);
    }

    private static Path cacheDirectory() {
        String configured = System.getenv("PGMIGRATE_TEST_CACHE");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "pgmigrate-test");
    }

    private static void fetch(Path cache, int major) {
        try {
            Files.createDirectories(cache);
            Path script = Files.createTempFile("fetch-pg-clients", ".sh");
            try (InputStream in = NewerPgClients.class.getResourceAsStream("fetch-pg-clients.sh")) {
                if (in == null) {
                    throw new IllegalStateException("fetch-pg-clients.sh is missing from the testkit's resources");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                List<String> command = new ArrayList<>(List.of("bash", script.toString(), cache.toString(),
                        Integer.toString(major)));
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException("Could not fetch PostgreSQL " + major + "'s client tools from Debian's"
                            + " trixie/sid suites (needs deb.debian.org, apt-get and dpkg-deb):\n" + output);
                }
            } finally {
                Files.deleteIfExists(script);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching PostgreSQL " + major + "'s client tools", e);
        }
    }
}
