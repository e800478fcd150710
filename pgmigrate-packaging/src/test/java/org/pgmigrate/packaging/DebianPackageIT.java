package org.pgmigrate.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package the build makes: installed with dpkg -i as a user would (as root), its pgmigrate command runs
 * ({@code --version}, {@code demo --offline}) and starts from the class-data sharing archive its postinst made, the
 * system user and its 0700 data dir exist, systemd accepts the unit, and a purge removes it all. Needs root and dpkg, as CI has; the machine is left as it was.
 */
@Timeout(600)
class DebianPackageIT {

    static final String ARCHIVE = "/var/cache/pgmigrate/pgmigrate.jsa";
    static Path deb;

    @BeforeAll
    static void install() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "installing a package needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "needs dpkg (Debian or Ubuntu)");
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            deb = files.filter(f -> f.getFileName().toString().matches("pgmigrate_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("the build made no target/pgmigrate_*_all.deb"));
        }
        // The postinst's training run of `pgmigrate serve` (class-data sharing archive) is slow on a busy machine.
        Result installed = run(300, "dpkg", "-i", deb.toString());
        assertThat(installed.exit()).as(installed.output()).isZero();
    }

    @AfterAll
    static void purge() throws Exception {
        if (deb != null) {
            Result purged = run(120, "dpkg", "--purge", "pgmigrate");
            assertThat(purged.exit()).as(purged.output()).isZero();
            assertThat(Path.of("/usr/bin/pgmigrate")).doesNotExist();
            assertThat(Path.of("/var/lib/pgmigrate")).doesNotExist();
            assertThat(Path.of(ARCHIVE)).as("the class-data sharing archive is removed").doesNotExist();
            assertThat(run(10, "getent", "passwd", "pgmigrate").exit()).as("the system user is gone").isNotZero();
        }
    }

    @Test
    void thePackageHoldsTheCommandTheUnitAndItsDefaults() throws Exception {
        Result contents = run(30, "dpkg-deb", "--contents", deb.toString());
        assertThat(contents.output()).contains("./usr/bin/pgmigrate", "./usr/share/pgmigrate/pgmigrate.jar",
                "./lib/systemd/system/pgmigrate.service", "./etc/default/pgmigrate",
                "./usr/share/doc/pgmigrate/README.md");
        Result info = run(30, "dpkg-deb", "--info", deb.toString());
        assertThat(info.output()).contains("Package: pgmigrate", "Architecture: all",
                "Depends: openjdk-17-jre-headless | java17-runtime-headless, postgresql-client, adduser");
        assertThat(run(10, "dpkg-query", "-W", "-f=${Conffiles}", "pgmigrate").output())
                .contains("/etc/default/pgmigrate");
    }

    @Test
    void theInstalledCommandRunsTheOfflineDemo() throws Exception {
        Result version = run(60, "/usr/bin/pgmigrate", "--version");
        assertThat(version.exit()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("pgmigrate ");
        Result demo = run(300, "pgmigrate", "demo", "--offline", "--rows", "2000");
        assertThat(demo.exit()).as(demo.output()).isZero();
        assertThat(demo.output()).contains("Proven: the target equals the source.");
    }

    @Test
    void theServiceUserOwnsItsPrivateDataDirAndSystemdAcceptsTheUnit() throws Exception {
        assertThat(run(10, "getent", "passwd", "pgmigrate").output()).contains("/var/lib/pgmigrate")
                .contains("/usr/sbin/nologin");
        Result mode = run(10, "stat", "-c", "%U %a", "/var/lib/pgmigrate");
        assertThat(mode.output().strip()).isEqualTo("pgmigrate 700");
        Result verify = run(60, "systemd-analyze", "verify", "/lib/systemd/system/pgmigrate.service");
        assertThat(verify.exit()).as(verify.output()).isZero();
        assertThat(verify.output()).doesNotContain("pgmigrate.service:");
        Result security = run(60, "systemd-analyze", "security", "--offline=true",
                "/lib/systemd/system/pgmigrate.service");
        assertThat(security.output()).as("the hardening options are read").contains("NoNewPrivileges=");
    }

    @Test
    void theInstalledCommandStartsFromTheClassDataSharingArchiveAndWithoutAValidOne() throws Exception {
        assertThat(Path.of(ARCHIVE)).as("made by the postinst").isRegularFile();
        // -Xlog:class+load names where each class came from: the archive's own layer is "(top)".
        List<String> logged = List.of("PGMIGRATE_JAVA_OPTS=-Xmx512m -Xlog:class+load=info");
        Result loaded = run(60, logged, "/usr/bin/pgmigrate", "--version");
        assertThat(loaded.exit()).as(loaded.output()).isZero();
        assertThat(loaded.output()).as("pgmigrate's classes come from the archive")
                .contains("org.pgmigrate.cli.Main source: shared objects file (top)");

        // An archive this JVM cannot use (another JDK build, a damaged file) is ignored: the same output, no warning.
        byte[] kept = Files.readAllBytes(Path.of(ARCHIVE));
        try {
            Files.write(Path.of(ARCHIVE), "not an archive".getBytes(StandardCharsets.US_ASCII));
            Result version = run(60, "/usr/bin/pgmigrate", "--version");
            assertThat(version.exit()).as(version.output()).isZero();
            assertThat(version.output()).matches("pgmigrate \\S+\\R");
        } finally {
            Files.write(Path.of(ARCHIVE), kept);
        }
    }

    record Result(int exit, String output) {
    }

    static Result run(int seconds, String... command) throws IOException, InterruptedException {
        return run(seconds, List.of(), command);
    }

    /** {@code environment}: NAME=VALUE entries added to this JVM's environment. */
    static Result run(int seconds, List<String> environment, String... command)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        for (String entry : environment) {
            int eq = entry.indexOf('=');
            builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        Process p = builder.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end in " + seconds + " s:\n" + output);
        }
        return new Result(p.exitValue(), output);
    }
}
