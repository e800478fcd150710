package org.pgmigrate.engine.pg;

/**
 * Text that came from a server (a role name, a statement of a dump) made safe for one log line or terminal line:
 * control characters, including line breaks, are written as escapes, so that a name such as
 * {@code "x<newline>ALTER ROLE ..."} cannot forge a log line or move a terminal's cursor.
 */
public final class Printable {

    private Printable() {
    }

    public static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\\' -> "\\\\";
                default -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                        ? String.format("\\u%04x", (int) c) : null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
