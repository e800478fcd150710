package org.pgmigrate.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.burt.jmespath.Expression;
import io.burt.jmespath.JmesPathException;
import io.burt.jmespath.jackson.JacksonRuntime;
import org.pgmigrate.cli.CliException;
import picocli.CommandLine;

/**
 * A {@code --query}: a JMESPath expression (jmespath.org), compiled when the command line is parsed so that a
 * mistake is reported before anything is sent. Immutable and thread-safe.
 */
public final class Query {

    private static final JacksonRuntime RUNTIME = new JacksonRuntime();

    private final String text;
    private final Expression<JsonNode> expression;

    private Query(String text, Expression<JsonNode> expression) {
        this.text = text;
        this.expression = expression;
    }

    /** Compiles {@code text}; throws {@link IllegalArgumentException} naming what is wrong with it. */
    public static Query compile(String text) {
        try {
            return new Query(text, RUNTIME.compile(text));
        } catch (JmesPathException e) {
            throw new IllegalArgumentException("invalid JMESPath expression '" + text + "': " + reason(e)
                    + ". See https://jmespath.org for the syntax, e.g. --query \"[].name\" or "
                    + "--query properties.currentStatus.state.");
        }
    }

    /** The expression applied to {@code data}; a failure inside it (a function given the wrong type) is the user's. */
    public JsonNode search(JsonNode data) {
        try {
            return expression.search(data);
        } catch (JmesPathException e) {
            throw CliException.invalidInput("--query '" + text + "' cannot be applied to the result: " + reason(e)
                    + ".");
        }
    }

    public String text() {
        return text;
    }

    // The library's messages repeat the expression ("Unable to compile expression \"x\": ..."); keep what follows.
    private static String reason(JmesPathException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int colon = m.indexOf("\": ");
        return (colon >= 0 ? m.substring(colon + 3) : m).strip();
    }

    @Override
    public String toString() {
        return text;
    }

    /** picocli's converter: a bad expression is a usage error (exit 2), never a stack trace. */
    public static final class Converter implements CommandLine.ITypeConverter<Query> {
        @Override
        public Query convert(String value) {
            try {
                return compile(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
