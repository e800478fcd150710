package org.pgmigrate.cli.output;

import java.io.PrintWriter;

/**
 * A command's messages on stderr, as az writes them ({@code WARNING: }, {@code INFO: }, {@code DEBUG: } before each
 * line), filtered by the {@link Verbosity.Level}. Errors do not go through here: they are always shown (see
 * {@code ErrorReporter}). Not thread-safe; one per command run.
 */
public final class Diagnostics {

    private final PrintWriter err;
    private final Verbosity.Level level;

    public Diagnostics(PrintWriter err, Verbosity.Level level) {
        this.err = err;
        this.level = level;
    }

    /** Only errors, as in tests or for a client whose caller prints nothing. */
    public static Diagnostics quiet(PrintWriter err) {
        return new Diagnostics(err, Verbosity.Level.ERRORS);
    }

    public void warning(String message) {
        write(Verbosity.Level.WARNINGS, "WARNING: ", message);
    }

    public void info(String message) {
        write(Verbosity.Level.INFO, "INFO: ", message);
    }

    public void debug(String message) {
        write(Verbosity.Level.DEBUG, "DEBUG: ", message);
    }

    public boolean debugging() {
        return level.compareTo(Verbosity.Level.DEBUG) >= 0;
    }

    public boolean verbose() {
        return level.compareTo(Verbosity.Level.INFO) >= 0;
    }

    // Every line gets the prefix, so that a multi-line body stays recognisable in a log.
    private void write(Verbosity.Level needed, String prefix, String message) {
        if (level.compareTo(needed) < 0) {
            return;
        }
        message.lines().forEach(line -> err.println(prefix + line));
        err.flush();
    }
}
