package org.pgmigrate.cli.output;

import picocli.CommandLine.Option;

/** {@code -h/--help} for subcommands (the version flag belongs to {@code pgmigrate} alone). */
public final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
