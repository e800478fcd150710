package org.pgmigrate.cli;

import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine;

/** Entry point. {@link #run} is what tests call; {@link #main} only exits with its result. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /** Runs one pgmigrate command line and returns its exit code (see {@link ExitCode}). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(args);
        cli.setOut(out);
        cli.setErr(err);
        long started = System.nanoTime();
        int code = cli.execute(args);
        if (matched(cli.getParseResult(), "--verbose") || matched(cli.getParseResult(), "--debug")) {
            // as az's --verbose ends
            err.printf(Locale.ROOT, "INFO: Command ran in %.3f seconds%n", (System.nanoTime() - started) / 1e9);
            err.flush();
        }
        return code;
    }

    /** Whether the command that ran (the innermost subcommand) was given {@code option}. */
    static boolean matched(CommandLine.ParseResult result, String option) {
        if (result == null) {
            return false;
        }
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return result.hasMatchedOption(option);
    }

    /** Every command (the usage, the help tests). */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /** The commands that {@code args} can reach ({@link RootCommand#addVerbs}). */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new RootCommand());
        // Before the settings below: picocli applies them to the subcommands present when they are set.
        RootCommand.addVerbs(cli, args);
        cli.setExecutionExceptionHandler(new ErrorReporter());
        cli.setParameterExceptionHandler((ex, given) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("ERROR: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return ExitCode.INVALID_INPUT;
        });
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }
}
