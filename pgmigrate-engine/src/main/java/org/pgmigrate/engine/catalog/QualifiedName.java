package org.pgmigrate.engine.catalog;

import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * A schema-qualified name as a user writes it in a filter, read the way PostgreSQL reads SQL names: an unquoted part
 * is folded to lower case, a double-quoted part is taken exactly ({@code ""} is one quote), and a dot separates the
 * parts only outside quotes. So {@code Sales.Orders} is {@code sales.orders}, and {@code "My Schema"."T.1"} is the
 * table {@code T.1} in schema {@code My Schema}.
 */
public record QualifiedName(String schema, String name) implements Comparable<QualifiedName> {

    /** A table's name: exactly two parts, schema and table. */
    public static QualifiedName parseTable(String text) {
        List<String> parts = parts(text, "table");
        if (parts.size() != 2) {
            throw invalid("Table name '" + text + "' must be schema.table" + (parts.size() == 1
                    ? " (for example public." + text.strip() + ")" : ", with a double-quoted part for a name that"
                    + " holds a dot (\"My Schema\".\"T.1\")") + ".");
        }
        return new QualifiedName(parts.get(0), parts.get(1));
    }

    /** A schema's name: one part. */
    public static String parseSchema(String text) {
        List<String> parts = parts(text, "schema");
        if (parts.size() != 1) {
            throw invalid("Schema name '" + text + "' has " + parts.size() + " parts: write one name, double-quoted"
                    + " if it holds a dot (\"my.schema\").");
        }
        return parts.get(0);
    }

    /** {@code "schema"."name"}, always quoted: for SQL and for pg_dump patterns, where quoted text is literal. */
    public String quoted() {
        return Identifiers.qualified(schema, name);
    }

    /** As a user writes it back: quoted only where a name needs it ({@code public."Orders"}). */
    @Override
    public String toString() {
        return Identifiers.forMessage(schema, name);
    }

    @Override
    public int compareTo(QualifiedName o) {
        int bySchema = schema.compareTo(o.schema);
        return bySchema != 0 ? bySchema : name.compareTo(o.name);
    }

    private static List<String> parts(String text, String what) {
        if (text == null || text.isBlank()) {
            throw invalid("An empty " + what + " name was given.");
        }
        String s = text.strip();
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    part.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    part.append(c);
                }
            } else if (Character.isWhitespace(c) && (wasQuoted || part.isEmpty())) {
                continue; // blanks around a part, as SQL allows
            } else if (c == '"') {
                if (!part.isEmpty()) {
                    throw invalid("In " + what + " name '" + text + "', a quote starts in the middle of a name: quote"
                            + " the whole part (\"" + part + "...\").");
                }
                quoted = true;
                wasQuoted = true;
            } else if (c == '.') {
                parts.add(finish(part, wasQuoted, text, what));
                part.setLength(0);
                wasQuoted = false;
            } else if (wasQuoted) {
                throw invalid("In " + what + " name '" + text + "', text follows a closing quote: put a dot between"
                        + " the parts.");
            } else {
                part.append(c);
            }
        }
        if (quoted) {
            throw invalid("In " + what + " name '" + text + "', a double quote is not closed.");
        }
        parts.add(finish(part, wasQuoted, text, what));
        return parts;
    }

    private static String finish(StringBuilder part, boolean quoted, String text, String what) {
        String p = quoted ? part.toString() : part.toString().strip();
        if (p.isEmpty()) {
            throw invalid("In " + what + " name '" + text + "', a part is empty.");
        }
        if (p.indexOf('\0') >= 0) {
            throw invalid("In " + what + " name '" + text + "', a part holds a NUL character.");
        }
        // Unquoted SQL names fold to lower case, as psql and pg_dump read them.
        return quoted ? p : asciiLowerCase(p);
    }

    /** PostgreSQL folds only A-Z in unquoted names (in a multi-byte encoding, which is what UTF-8 sources have). */
    private static String asciiLowerCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }

    private static EngineException invalid(String message) {
        return new EngineException(EngineError.INVALID_INPUT, message);
    }
}
