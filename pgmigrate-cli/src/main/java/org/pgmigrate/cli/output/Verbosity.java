package org.pgmigrate.cli.output;

import picocli.CommandLine.Option;

/**
 * az's {@code --only-show-errors}, {@code --verbose} and {@code --debug}: what goes to stderr besides errors. As in
 * az, {@code --debug} wins over {@code --verbose}, which wins over {@code --only-show-errors}.
 */
public final class Verbosity {

    /** What reaches stderr, from the least to the most. */
    public enum Level { ERRORS, WARNINGS, INFO, DEBUG }

    @Option(names = "--only-show-errors", description = "Only show errors, suppressing warnings.")
    boolean onlyShowErrors;

    @Option(names = "--verbose", description = "Increase logging verbosity (each request, the time taken). "
            + "Use --debug for full debug logs.")
    boolean verbose;

    @Option(names = "--debug", description = "Increase logging verbosity to show all debug logs: every request and "
            + "response to the service, passwords and the token masked.")
    boolean debug;

    public Level level() {
        return debug ? Level.DEBUG : verbose ? Level.INFO : onlyShowErrors ? Level.ERRORS : Level.WARNINGS;
    }
}
