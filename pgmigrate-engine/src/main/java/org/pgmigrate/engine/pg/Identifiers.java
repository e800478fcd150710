package org.pgmigrate.engine.pg;

import java.util.regex.Pattern;

/**
 * The one place where names and literals become SQL text. Values go through {@code ?} binds wherever the protocol
 * allows; these are for the places it does not (identifiers, utility commands such as SET TRANSACTION SNAPSHOT).
 */
public final class Identifiers {

    /** A name psql shows unquoted. Compiled once: the verification names every object of both schemas with it. */
    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

    private Identifiers() {
    }

    /** Always double-quotes, so mixed case, reserved words and embedded quotes survive. */
    public static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Identifier contains a NUL byte");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    public static String qualified(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }

    /**
     * {@code schema.name} for messages: quoted only where a reader needs it to see the name (upper case, spaces,
     * punctuation), as psql shows names. Never for SQL: a keyword would stay unquoted; use {@link #qualified}.
     */
    public static String forMessage(String schema, String name) {
        return forMessage(schema) + "." + forMessage(name);
    }

    /** One name for messages, quoted only where a reader needs it (see {@link #forMessage(String, String)}). */
    public static String forMessage(String identifier) {
        return PLAIN.matcher(identifier).matches() ? identifier : quote(identifier);
    }

    /** A standard-conforming string literal ('' doubled); backslashes are ordinary characters. */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Literal contains a NUL byte");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
