package org.pgmigrate.engine.progress;

import java.util.Locale;

/**
 * Byte counts for people, in one unit system wherever pgmigrate prints a size (the engine's messages, the service's
 * validation report, every CLI view): binary multiples with their IEC names, {@code 512 B}, {@code 1.5 KiB},
 * {@code 72.0 MiB}, {@code 812 MiB}, {@code 1.2 GiB}. One decimal below 100, none above. Stateless.
 */
public final class ByteUnits {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteUnits() {
    }

    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        // 1023.96 MiB would round to "1024 MiB": say 1.0 GiB instead.
        if (value >= 1023.5 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value >= 99.95 ? "%.0f %s" : "%.1f %s", value, UNITS[unit]);
    }
}
