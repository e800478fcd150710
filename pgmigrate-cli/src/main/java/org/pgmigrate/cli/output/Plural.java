package org.pgmigrate.cli.output;

/** A count with its noun in the right number, as people write it: "1 table", "0 tables", "2,000,000 rows". */
public final class Plural {

    private Plural() {
    }

    /** {@code n} and the noun, with an {@code s} unless {@code n} is 1. */
    public static String of(long n, String noun) {
        return of(n, noun, noun + "s");
    }

    /** {@code n} and {@code one} or {@code many}, for nouns such as index/indexes or entry/entries. */
    public static String of(long n, String one, String many) {
        return grouped(n) + " " + (n == 1 ? one : many);
    }

    /**
     * {@code n} with a comma every three digits, as {@code %,d} in the root locale writes it. Not String.format:
     * a copy prints a line per table, and each format call built the locale's number symbols anew (JFR, 2,041
     * tables: more samples than the copy's own read loop).
     */
    static String grouped(long n) {
        String digits = Long.toString(n);
        int sign = n < 0 ? 1 : 0;
        StringBuilder out = new StringBuilder(digits.length() + digits.length() / 3);
        for (int i = 0; i < digits.length(); i++) {
            if (i > sign && (digits.length() - i) % 3 == 0) {
                out.append(',');
            }
            out.append(digits.charAt(i));
        }
        return out.toString();
    }
}
