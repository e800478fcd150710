package org.pgmigrate.cli.output;

import picocli.CommandLine.Option;

/** {@code --output/-o json|table}, mixed into every command that prints a resource. */
public final class OutputOption {

    @Option(names = {"--output", "-o"}, paramLabel = "FORMAT", defaultValue = "json",
            converter = OutputFormat.Converter.class,
            description = "Output format. Allowed values: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    public OutputFormat format() {
        return format;
    }
}
