package org.pgmigrate.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real terminal for a test, used the way a person uses one: a tmux session (on a tmux server of its own, with its
 * own socket, so that tests running at the same time never meet) running bash, in which the test types a command,
 * presses keys such as Ctrl-C, reads the screen, and learns the command's exit code. The command's process is the
 * terminal's foreground job: Ctrl-C reaches it as SIGINT from the terminal, as it reaches a user's.
 *
 * <p>Not thread-safe: one test drives one terminal.
 */
public final class Terminal implements AutoCloseable {

    private final String socket = "pgmigrate-test-" + UUID.randomUUID();
    /** One line per prompt the shell showed, holding {@code $?}: the first for the shell's start, then one per command. */
    private final Path exits;

    private Terminal(Path exits) {
        this.exits = exits;
    }

    /**
     * Starts a 250x50 terminal running bash (no rc files, no history file); {@code dir} holds the file where the shell
     * writes each command's exit code before its next prompt (so that a command cut by Ctrl-C has one too).
     */
    public static Terminal open(Path dir) throws IOException, InterruptedException {
        Terminal t = new Terminal(dir.resolve("terminal-exits"));
        t.tmux("new-session", "-d", "-s", "test", "-x", "250", "-y", "50",
                "env HISTFILE=/dev/null PS1='$ ' PROMPT_COMMAND='echo $? >> \"" + t.exits + "\"' bash --norc --noprofile");
        await().atMost(Duration.ofSeconds(30)).until(() -> t.prompts() == 1);
        return t;
    }

    /** A command typed into the terminal; its exit code is known once the shell prompts again. */
    public final class Command {
        private final int prompt;

        private Command(int prompt) {
            this.prompt = prompt;
        }

        /** Waits for the command to end; returns its exit code as the shell saw it ({@code $?}). */
        public int awaitExit(Duration timeout) {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> prompts() > prompt);
            try {
                return Integer.parseInt(Files.readAllLines(exits, StandardCharsets.UTF_8).get(prompt).trim());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Types {@code command} and Enter, as a user would. */
    public Command type(String command) throws IOException, InterruptedException {
        int prompt = prompts();
        tmux("send-keys", "-t", "test", "-l", command);
        tmux("send-keys", "-t", "test", "Enter");
        return new Command(prompt);
    }

    /** Types {@code command} and waits for it to end; returns its exit code. */
    public int run(String command, Duration timeout) throws IOException, InterruptedException {
        return type(command).awaitExit(timeout);
    }

    /** Presses Ctrl-C. */
    public void pressCtrlC() throws IOException, InterruptedException {
        tmux("send-keys", "-t", "test", "C-c");
    }

    /** What the terminal shows, its scrollback included, wrapped lines joined. */
    public String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-J", "-t", "test", "-S", "-5000");
    }

    /** Empties the screen and its scrollback, so that the next {@link #screen} shows only what comes next. */
    public void clear() throws IOException, InterruptedException {
        run("clear", Duration.ofSeconds(30));
        tmux("clear-history", "-t", "test");
    }

    private int prompts() throws IOException {
        return Files.exists(exits) ? (int) Files.readAllLines(exits, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).count() : 0;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        tmux("kill-server");
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || (p.exitValue() != 0 && !args[0].equals("kill-server"))) {
            throw new IllegalStateException("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
