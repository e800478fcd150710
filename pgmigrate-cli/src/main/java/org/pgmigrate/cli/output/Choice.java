package org.pgmigrate.cli.output;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * Converts a flag's value to one of an enum's constants by the constant's {@code toString()} (az's spelling),
 * ignoring case, failing with az's (argparse's) wording: {@code invalid choice: 'x' (choose from 'a', 'b')}.
 * Subclasses only name the enum. Stateless.
 */
public abstract class Choice<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {

    private final Class<E> type;

    protected Choice(Class<E> type) {
        this.type = type;
    }

    @Override
    public E convert(String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.toString().equalsIgnoreCase(value.trim())) {
                return constant;
            }
        }
        throw new CommandLine.TypeConversionException("invalid choice: '" + value + "' (choose from "
                + Arrays.stream(type.getEnumConstants()).map(c -> "'" + c + "'").collect(Collectors.joining(", "))
                + ")");
    }
}
