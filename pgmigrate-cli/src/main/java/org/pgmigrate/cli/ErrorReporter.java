package org.pgmigrate.cli;

import java.io.PrintWriter;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import picocli.CommandLine;

/**
 * Prints what went wrong. A user's mistake gets its message and exit code, no stack trace; anything else is a bug
 * and gets the stack trace, so that it can be reported.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        int code = exitCodeOf(e);
        if (code == ExitCode.INTERNAL_ERROR) {
            err.println("ERROR: unexpected failure (a bug in pgmigrate; please report it with this trace):");
            e.printStackTrace(err);
        } else {
            err.println("ERROR: " + e.getMessage());
            if (Main.matched(parseResult, "--debug")) {
                e.printStackTrace(err); // az --debug shows where an error came from, too
            }
        }
        err.flush();
        return code;
    }

    static int exitCodeOf(Throwable e) {
        if (e instanceof CliException cli) {
            return cli.exitCode();
        }
        if (e instanceof EngineException engine) {
            if (engine.error() == EngineError.CANCELED) {
                return ExitCode.INTERRUPTED;
            }
            return engine.error().userError() ? ExitCode.INVALID_INPUT : ExitCode.FAILED;
        }
        if (e instanceof IllegalArgumentException) {
            return ExitCode.INVALID_INPUT;
        }
        if (e instanceof java.io.UncheckedIOException) {
            // A file that could not be read or written (permissions, a full disk): its message names the path.
            return ExitCode.FAILED;
        }
        return ExitCode.INTERNAL_ERROR;
    }
}
