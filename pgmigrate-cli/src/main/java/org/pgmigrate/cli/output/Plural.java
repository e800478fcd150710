package org.pgmigrate.cli.output;

import java.util.Locale;

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
        return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? one : many);
    }
}
