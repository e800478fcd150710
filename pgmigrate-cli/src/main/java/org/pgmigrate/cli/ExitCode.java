package org.pgmigrate.cli;

/** The exit codes of every pgmigrate command. */
public final class ExitCode {

    /** Done, and proven where the command proves anything. */
    public static final int OK = 0;
    /** The operation ran and failed: a copy error, a verification mismatch, a migration that ended Failed. */
    public static final int FAILED = 1;
    /** The user's input is wrong: a flag, a file, a connection string, a password. Nothing was changed. */
    public static final int INVALID_INPUT = 2;
    /**
     * Interrupted (Ctrl-C); the work can be resumed. 128 + SIGINT, as shells report a process that SIGINT ended: the
     * JVM exits with it once its shutdown hooks are done, whatever the command returned, so the code that clone
     * returns after it stopped cleanly is the same.
     */
    public static final int INTERRUPTED = 130;
    /** A bug in pgmigrate: the message comes with a stack trace. */
    public static final int INTERNAL_ERROR = 4;

    private ExitCode() {
    }
}
