package org.pgmigrate.service.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The registered restart command as the service runs it: its own process group, killed whole; a scrubbed excerpt. */
@Timeout(120)
class RestartCommandRunnerTest {

    private final RestartCommandRunner runner = new RestartCommandRunner();

    @TempDir
    Path dir;

    @Test
    void aCommandThatOutlastsItsTimeIsKilledWithEveryProcessItStartedEvenOneThatIgnoresSigterm() throws Exception {
        Path shellPid = dir.resolve("shell.pid");
        Path childPid = dir.resolve("child.pid");
        Path stubbornPid = dir.resolve("stubborn.pid");
        String command = "echo $$ > " + shellPid + "; "
                + "sleep 600 & echo $! > " + childPid + "; "
                + "(trap '' TERM; exec sleep 600) & echo $! > " + stubbornPid + "; "
                + "echo started; wait";

        RestartCommandRunner.Outcome outcome = runner.run(command, Duration.ofSeconds(2), List.of());

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.description()).isEqualTo("did not finish within 2 s, so pgmigrate killed it and every "
                + "process it started (its process group)");
        assertThat(outcome.excerpt()).isEqualTo("started");
        for (Path pidFile : List.of(shellPid, childPid, stubbornPid)) {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(running(pid)).as(pidFile.getFileName() + " " + pid).isFalse());
        }
    }

    @Test
    void theCommandRunsInItsOwnProcessGroupAndSession() throws Exception {
        Path stat = dir.resolve("stat");
        RestartCommandRunner.Outcome outcome = runner.run("cat /proc/$$/stat > " + stat, Duration.ofSeconds(30), List.of());
        assertThat(outcome.succeeded()).as(outcome.description()).isTrue();
        String[] fields = afterCommandName(Files.readString(stat));
        long pid = Long.parseLong(Files.readString(stat).split(" ")[0]);
        assertThat(Long.parseLong(fields[2])).as("process group").isEqualTo(pid);
        assertThat(Long.parseLong(fields[3])).as("session").isEqualTo(pid);
        assertThat(Long.parseLong(fields[2])).as("not the service's group").isNotEqualTo(ownProcessGroup());
    }

    @Test
    void onlyAShortTailOfTheOutputIsKeptWithSecretsMaskedAndControlCharactersEscaped() {
        String command = "i=0; while [ $i -lt 2000 ]; do echo \"filler line $i with the-source-pw inside\"; i=$((i+1)); done; "
                + "printf 'PGPASSWORD=hunter2 postgresql://bob:pw123@db/app the-source-pw the-target-pw\\n'; "
                + "printf 'colour \\033[31mred\\n' >&2; exit 3";

        RestartCommandRunner.Outcome outcome = runner.run(command, Duration.ofSeconds(60),
                List.of("the-source-pw", "the-target-pw"));

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.description()).isEqualTo("ended with exit code 3");
        assertThat(outcome.excerpt().length()).isLessThanOrEqualTo(RestartCommandRunner.EXCERPT_CHARS + 3);
        assertThat(outcome.excerpt()).startsWith("...")
                .endsWith("PGPASSWORD=*** postgresql://bob:***@db/app *** ***\\ncolour \\u001b[31mred")
                .doesNotContain("hunter2", "pw123", "the-source-pw", "the-target-pw", "\n", "\u001b")
                .contains("filler line 1999 with *** inside");
    }

    @Test
    void aCommandThatSucceedsKeepsWhatItStartedInTheBackground() throws Exception {
        Path childPid = dir.resolve("child.pid");
        // like a server launched by the command: it must survive the command's end
        RestartCommandRunner.Outcome outcome = runner.run("sleep 600 > /dev/null 2>&1 & echo $! > " + childPid,
                Duration.ofSeconds(30), List.of());
        long pid = Long.parseLong(Files.readString(childPid).trim());
        try {
            assertThat(outcome.succeeded()).isTrue();
            assertThat(outcome.description()).isEqualTo("ended with exit code 0");
            assertThat(running(pid)).isTrue();
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Alive and not a zombie waiting for a parent that has not reaped it yet. */
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            return !afterCommandName(Files.readString(stat))[0].equals("Z");
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    /** /proc/<pid>/stat after "pid (comm) ": state, ppid, pgrp, session... (comm may hold spaces). */
    private static String[] afterCommandName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static long ownProcessGroup() throws IOException {
        return Long.parseLong(afterCommandName(Files.readString(Path.of("/proc/self/stat")))[2]);
    }
}
