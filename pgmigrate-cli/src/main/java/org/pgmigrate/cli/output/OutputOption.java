package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * az's global arguments, mixed into every command that talks to the service or prints a resource:
 * {@code --output/-o}, {@code --query} and the {@link Verbosity} flags. Mix it into the command itself (not into
 * another mixin): it finds the command's stdout and stderr through it.
 */
public final class OutputOption {

    @Option(names = {"--output", "-o"}, paramLabel = "FORMAT", defaultValue = "json",
            converter = OutputFormat.Converter.class,
            description = "Output format. Allowed values: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Option(names = "--query", paramLabel = "JMESPATH", converter = Query.Converter.class,
            description = "JMESPath query string. See http://jmespath.org/ for more information and examples.")
    Query query;

    @Mixin
    Verbosity verbosity;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    public OutputFormat format() {
        return format;
    }

    /** Prints {@code result} in the chosen format; {@code view} is the command's own table (null: az's automatic one). */
    public void print(JsonNode result, Function<JsonNode, String> view) {
        PrintWriter out = command.commandLine().getOut();
        out.print(Printer.render(format, query, result, view, colors()));
        out.flush();
    }

    /** The command's stderr messages, at the verbosity asked for. */
    public Diagnostics diagnostics() {
        return new Diagnostics(command.commandLine().getErr(), verbosity.level());
    }

    // As az: colors only on a terminal, and never with NO_COLOR set (no-color.org).
    private static boolean colors() {
        return LiveView.interactiveTerminal() && System.getenv("NO_COLOR") == null;
    }
}
