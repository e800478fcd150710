package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import java.util.function.Supplier;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;

/**
 * {@code show --watch}: polls the resource every {@code interval} and redraws its view until the migration
 * reaches a terminal state. On a terminal the screen is redrawn in place (like {@code watch(1)}); otherwise
 * (a pipe, a log file, a test) each view is printed once, only when it changed. Blocks the calling thread;
 * not thread-safe.
 */
public final class LiveView {

    private static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";

    private final PrintWriter out;
    private final boolean ansi;
    private final Duration interval;

    public LiveView(PrintWriter out, boolean ansi, Duration interval) {
        this.out = out;
        this.ansi = ansi;
        this.interval = interval;
    }

    /** Whether this process writes to an interactive terminal (stdin and stdout both attached). */
    public static boolean interactiveTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.equals("dumb");
    }

    /** Polls and draws until a terminal state; returns the last resource seen. */
    public JsonNode run(String title, Supplier<JsonNode> poll, Function<JsonNode, String> render) {
        String previous = null;
        while (true) {
            JsonNode resource = poll.get();
            String view = render.apply(resource);
            String header = "Every " + describe(interval) + ": " + title + "    "
                    + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "\n\n";
            if (ansi) {
                out.print(CLEAR_SCREEN + header + view);
            } else if (!view.equals(previous)) {
                out.print((previous == null ? "" : "\n") + header + view);
            }
            out.flush();
            previous = view;
            if (MigrationView.isTerminal(resource)) {
                return resource;
            }
            pause();
        }
    }

    private void pause() {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.INTERRUPTED, "Interrupted; the migration goes on in the service.");
        }
    }

    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
