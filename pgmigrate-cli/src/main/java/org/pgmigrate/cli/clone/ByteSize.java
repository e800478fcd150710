package org.pgmigrate.cli.clone;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pgmigrate.engine.progress.ByteUnits;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses sizes such as {@code 512MiB}, {@code 10GiB}, {@code 1.5 GiB} or {@code 0}; formats bytes for people. Units
 * are binary multiples whether written {@code MB} or {@code MiB} (as PostgreSQL reads {@code 512MB} in its settings).
 */
public final class ByteSize implements ITypeConverter<Long> {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);

    /** For picocli: a bad size is a message naming the value and the accepted forms, not a Java exception. */
    @Override
    public Long convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    public static long parse(String value) {
        Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid size '" + value + "': use a number with an optional unit, for"
                    + " example 0, 512MB, 10GB, 1TB.");
        }
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long multiplier = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        return (long) (number * multiplier);
    }

    /** Binary units (KiB, MiB, GiB), as every size pgmigrate prints ({@link ByteUnits}). */
    public static String format(long bytes) {
        return ByteUnits.format(bytes);
    }
}
