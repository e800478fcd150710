package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.function.Function;

/** Prints a command's result in the chosen {@link OutputFormat}. Stateless. */
public final class Printer {

    private Printer() {
    }

    /** JSON as az prints it, or the {@code table} view of the result. */
    public static void print(PrintWriter out, OutputFormat format, JsonNode result, Function<JsonNode, String> table) {
        out.print(format == OutputFormat.TABLE ? table.apply(result) : Json.pretty(result) + "\n");
        out.flush();
    }
}
