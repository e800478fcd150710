package org.pgmigrate.service.logging;

/**
 * Makes text safe to print on one line: every control character (C0, DEL, C1), the Unicode line and paragraph
 * separators and the bidirectional overrides become visible escapes ({@code \n}, {@code \r}, {@code \t},
 * {@code \u001b}...). Text from a request, a source database or a user's command can then neither start a forged
 * log line nor drive a terminal. Stateless and thread-safe.
 */
public final class ControlCharacters {

    private ControlCharacters() {
    }

    /** {@code text} with its control characters escaped; the same instance when it has none. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (isUnsafe(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static int firstUnsafe(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isUnsafe(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isUnsafe(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
