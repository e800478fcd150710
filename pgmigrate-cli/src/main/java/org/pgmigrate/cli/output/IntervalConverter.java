package org.pgmigrate.cli.output;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Parses a polling interval: {@code 5} or {@code 5s} (seconds), {@code 500ms}, {@code 1m}; at least 100ms. */
public final class IntervalConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (text.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).trim()));
            } else if (text.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1).trim()));
            } else {
                String seconds = text.endsWith("s") ? text.substring(0, text.length() - 1).trim() : text;
                d = Duration.ofMillis(Math.round(Double.parseDouble(seconds) * 1000));
            }
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not an interval; use seconds (5, 2.5s), milliseconds (500ms) or minutes (1m)");
        }
        if (d.toMillis() < 100) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too short; the interval must be at "
                    + "least 100ms");
        }
        return d;
    }
}
