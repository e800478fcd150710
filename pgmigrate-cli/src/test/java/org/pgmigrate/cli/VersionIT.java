package org.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code --version} of the jar users run prints the version that was built, not a placeholder. */
class VersionIT {

    @Test
    void theShadedJarPrintsTheBuiltVersion() throws Exception {
        String expected = System.getProperty("pgmigrate.version");
        assertThat(expected).as("failsafe passes the project's version").isNotBlank();
        Path jar = Path.of("target", "pgmigrate.jar").toAbsolutePath();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.strip()).isEqualTo("pgmigrate " + expected).doesNotContain("development");
    }
}
