package org.pgmigrate.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.config.DataDir;
import org.pgmigrate.cli.config.Environment;

class ServiceLocationTest {

    @TempDir
    Path dir;

    private Environment env(Map<String, String> vars) {
        return new Environment(vars, dir.resolve("home"));
    }

    /** Right after `pgmigrate serve &`: the service's process is alive and named in serve.lock, no endpoint yet. */
    @Test
    void aServiceThatIsStillStartingIsWaitedFor() throws Exception {
        Process starting = new ProcessBuilder("sleep", "30").start();
        try {
            Files.writeString(dir.resolve("serve.lock"), starting.pid() + "\n");
            Files.writeString(dir.resolve("token"), "abc\n");
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(700); // the service finishing its start, in another process
                    Files.writeString(dir.resolve("endpoint"), "https://127.0.0.1:8642\n");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            ServiceLocation location = ServiceLocation.locate(new DataDir(dir), env(Map.of()));
            assertThat(location.endpoint().toString()).isEqualTo("https://127.0.0.1:8642");
            writer.join();
        } finally {
            starting.destroyForcibly();
        }
    }

    @Test
    void aServiceThatIsGoneIsNotWaitedFor() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve("serve.lock"), gone.pid() + "\n");
        long started = System.nanoTime();
        assertThatThrownBy(() -> ServiceLocation.locate(new DataDir(dir), env(Map.of())))
                .isInstanceOf(CliException.class).hasMessageContaining("not running");
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms").isLessThan(5_000);
    }

    @Test
    void theDataDirFilesGiveEndpointTokenAndPinnedCertificate() throws IOException {
        Files.writeString(dir.resolve("endpoint"), "https://127.0.0.1:8642\n");
        Files.writeString(dir.resolve("token"), "\n  abc  \n");
        Files.createDirectories(dir.resolve("tls"));
        Files.writeString(dir.resolve("tls/server.crt"), "pem");

        ServiceLocation location = ServiceLocation.locate(new DataDir(dir), env(Map.of()));

        assertThat(location.endpoint().toString()).isEqualTo("https://127.0.0.1:8642");
        assertThat(location.token()).isEqualTo("abc");
        assertThat(location.pinnedCertificate()).contains(dir.resolve("tls/server.crt"));
    }

    @Test
    void environmentVariablesOverrideTheFiles() throws IOException {
        Files.writeString(dir.resolve("endpoint"), "https://127.0.0.1:8642");
        Files.writeString(dir.resolve("token"), "from-file");

        ServiceLocation location = ServiceLocation.locate(new DataDir(dir), env(Map.of(
                "PGMIGRATE_ENDPOINT", "https://migrate.example.com:9443", "PGMIGRATE_TOKEN", "from-env")));

        assertThat(location.endpoint().getHost()).isEqualTo("migrate.example.com");
        assertThat(location.token()).isEqualTo("from-env");
        assertThat(location.pinnedCertificate()).as("no data dir certificate: the system CAs").isEmpty();
        assertThat(location.tokenSource()).isEqualTo("environment variable PGMIGRATE_TOKEN");
    }

    @Test
    void theDataDirIsTheFlagThenTheEnvironmentThenTheHomeDirectory() {
        Environment withVar = env(Map.of("PGMIGRATE_DATA_DIR", dir.resolve("from-env").toString()));

        assertThat(DataDir.resolve(dir.resolve("flag"), withVar).path()).isEqualTo(dir.resolve("flag"));
        assertThat(DataDir.resolve(null, withVar).path()).isEqualTo(dir.resolve("from-env"));
        assertThat(DataDir.resolve(null, env(Map.of())).path()).isEqualTo(dir.resolve("home/.pgmigrate"));
    }

    @Test
    void plainHttpIsRefusedBeyondLoopbackBecauseTheTokenWouldTravelInClear() {
        assertThatThrownBy(() -> ServiceLocation.parseEndpoint("http://migrate.example.com:8642", "test"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("plain http is only allowed to a loopback address");
        assertThat(ServiceLocation.parseEndpoint("http://127.0.0.1:8642", "test").getPort()).isEqualTo(8642);
        assertThatThrownBy(() -> ServiceLocation.parseEndpoint("127.0.0.1:8642", "test"))
                .hasMessageContaining("expected a base URL");
    }

    @Test
    void aMissingTokenSaysWhereItShouldBe() throws IOException {
        Files.writeString(dir.resolve("endpoint"), "https://127.0.0.1:8642");

        assertThatThrownBy(() -> ServiceLocation.locate(new DataDir(dir), env(Map.of())))
                .isInstanceOf(CliException.class)
                .hasMessageContaining(dir.resolve("token").toString())
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT));
    }

    @Test
    void theTokenNeverAppearsInToString() throws IOException {
        Files.writeString(dir.resolve("endpoint"), "https://127.0.0.1:8642");
        Files.writeString(dir.resolve("token"), "very-secret-token");

        assertThat(ServiceLocation.locate(new DataDir(dir), env(Map.of())).toString())
                .doesNotContain("very-secret-token").contains("<masked>");
    }
}
