package org.pgmigrate.cli;

/** A user-facing failure: its message is printed without a stack trace and the command exits with {@link #exitCode()}. */
public final class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CliException invalidInput(String message) {
        return new CliException(ExitCode.INVALID_INPUT, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
