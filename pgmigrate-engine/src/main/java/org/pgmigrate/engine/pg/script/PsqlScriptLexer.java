package org.pgmigrate.engine.pg.script;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.pg.script.SqlToken.Kind;

/**
 * Reads a psql script (such as pg_dump's or pg_dumpall's plain output) into whole statements and their tokens, the
 * way psql and the server's scanner ({@code scan.l}) read it, so that a statement ends only at a semicolon that is
 * outside every quote, comment and parenthesis: never at a line end. Handles quoted identifiers ({@code ""} escapes,
 * newlines and semicolons inside), standard strings ({@code ''} escapes), {@code E''} strings (backslash escapes),
 * {@code B''}/{@code X''}/{@code N''} strings, string continuation across a newline, {@code U&} forms, dollar quotes
 * ({@code $$}, {@code $tag$}), {@code --} comments, nested {@code /* *}{@code /} comments, parameters ({@code $1})
 * and psql backslash commands ({@code \connect}, {@code \restrict}...) at the start of a statement.
 *
 * <p>Plain {@code '...'} strings follow {@code standard_conforming_strings}: on at the start (the server default
 * since 9.1, and what pg_dump writes), then as the script's own {@code SET standard_conforming_strings} statements
 * say, as psql learns it from the server after each one. Whoever runs the statements must apply those SETs too.
 *
 * <p>Not handled, because dump scripts of roles and objects do not need it: {@code BEGIN ATOMIC ... END} bodies
 * (PostgreSQL 14+ SQL-standard function bodies) end at their first top-level semicolon here, as in psql before 14.
 * Such a statement comes out cut short and fails on the server; it cannot turn into another statement.
 *
 * <p>Not thread-safe; use one instance per script ({@link #read}).
 */
public final class PsqlScriptLexer {

    private static final int MAX_IDENTIFIER_BYTES = 63;
    private static final String OPERATOR_CHARS = "~!@#^&|`?+-*/%<>=";

    private final String in;
    private final List<ScriptItem> items = new ArrayList<>();
    private int pos;
    private boolean standardStrings = true;
    private int lineOffset;
    private int lineNumber = 1;

    // The statement being read.
    private int statementStart = -1;
    private int statementLine;
    private int statementEnd;
    private int parenDepth;
    private String problem;
    private final List<SqlToken> tokens = new ArrayList<>();

    private PsqlScriptLexer(String script) {
        this.in = script;
    }

    /** The statements and backslash commands of {@code script}, in order. Empty statements ({@code ;;}) are left out. */
    public static List<ScriptItem> read(String script) {
        return new PsqlScriptLexer(script).readAll();
    }

    private List<ScriptItem> readAll() {
        while (pos < in.length()) {
            char c = in.charAt(pos);
            if (isSpace(c)) {
                pos++;
            } else if (startsWith("--")) {
                skipLineComment();
            } else if (startsWith("/*")) {
                skipBlockComment();
            } else if (c == '\\') {
                backslashCommand();
            } else if (c == ';' && parenDepth == 0) {
                pos++;
                finishStatement();
            } else {
                token();
            }
        }
        if (statementStart >= 0) {
            if (problem == null) {
                problem = "the script ends without a semicolon after this statement";
            }
            finishStatement();
        }
        return items;
    }

    private void finishStatement() {
        if (statementStart >= 0) {
            String text = in.substring(statementStart, Math.max(statementStart, statementEnd));
            List<SqlToken> relative = new ArrayList<>(tokens.size());
            for (SqlToken t : tokens) {
                relative.add(new SqlToken(t.kind(), t.text(), t.value(), t.start() - statementStart));
            }
            ScriptItem.Statement statement = new ScriptItem.Statement(text, relative, statementLine, problem);
            items.add(statement);
            if (problem == null) {
                followStandardStrings(statement.tokens());
            }
        }
        statementStart = -1;
        parenDepth = 0;
        problem = null;
        tokens.clear();
    }

    /** {@code SET [SESSION] standard_conforming_strings {TO | =} on|off|true|false}: how later strings read. */
    private void followStandardStrings(List<SqlToken> t) {
        int i = 0;
        if (t.isEmpty() || !t.get(i++).isWord("set")) {
            return;
        }
        if (i < t.size() && t.get(i).isWord("session")) {
            i++;
        }
        if (t.size() != i + 3 || !t.get(i).isWord("standard_conforming_strings")
                || !(t.get(i + 1).isWord("to") || t.get(i + 1).isSymbol("="))) {
            return;
        }
        String value = t.get(i + 2).value().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("on") || value.equals("true")) {
            standardStrings = true;
        } else if (value.equals("off") || value.equals("false")) {
            standardStrings = false;
        }
    }

    private void backslashCommand() {
        int start = pos;
        int end = lineEnd(pos);
        if (statementStart < 0) {
            items.add(new ScriptItem.MetaCommand(in.substring(start, end), lineAt(start)));
        } else if (problem == null) {
            // psql would run it in the middle of the statement; this reader runs no backslash commands.
            problem = "a psql backslash command inside the statement (" + in.substring(start, end).strip() + ")";
        }
        pos = end;
        if (statementStart >= 0) {
            statementEnd = end;
        }
    }

    private void token() {
        int start = pos;
        char c = in.charAt(pos);
        if (statementStart < 0) {
            statementStart = start;
            statementLine = lineAt(start);
        }
        char next = charAt(pos + 1);
        if (c == '"') {
            quotedIdentifier(start, start + 1, Kind.QUOTED_IDENTIFIER);
        } else if (c == '\'') {
            string(start, start + 1, standardStrings ? Quoting.STANDARD : Quoting.BACKSLASH, Kind.STRING);
        } else if ((c == 'e' || c == 'E') && next == '\'') {
            string(start, start + 2, Quoting.BACKSLASH, Kind.STRING);
        } else if ((c == 'n' || c == 'N') && next == '\'') {
            string(start, start + 2, standardStrings ? Quoting.STANDARD : Quoting.BACKSLASH, Kind.STRING);
        } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && next == '\'') {
            string(start, start + 2, Quoting.STANDARD, Kind.STRING);
        } else if ((c == 'u' || c == 'U') && next == '&' && charAt(pos + 2) == '"') {
            quotedIdentifier(start, start + 3, Kind.UNICODE_IDENTIFIER);
        } else if ((c == 'u' || c == 'U') && next == '&' && charAt(pos + 2) == '\'') {
            string(start, start + 3, Quoting.STANDARD, Kind.UNICODE_STRING);
        } else if (c == '$') {
            dollar(start);
        } else if (isIdentifierStart(c)) {
            identifier(start);
        } else if (isDigit(c) || (c == '.' && isDigit(next))) {
            number(start);
        } else if (OPERATOR_CHARS.indexOf(c) >= 0) {
            operator(start);
        } else {
            pos++;
            if (c == '(') {
                parenDepth++;
            } else if (c == ')' && parenDepth > 0) {
                parenDepth--;
            }
            add(Kind.PUNCTUATION, start, String.valueOf(c));
        }
    }

    private void add(Kind kind, int start, String value) {
        tokens.add(new SqlToken(kind, in.substring(start, pos), value, start));
        statementEnd = pos;
    }

    private void identifier(int start) {
        while (pos < in.length() && isIdentifierPart(in.charAt(pos))) {
            pos++;
        }
        // Like the server: ASCII letters fold to lower case, other characters stay as they are.
        StringBuilder folded = new StringBuilder(pos - start);
        for (int i = start; i < pos; i++) {
            char ch = in.charAt(i);
            folded.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + ('a' - 'A')) : ch);
        }
        add(Kind.IDENTIFIER, start, truncated(folded.toString()));
    }

    private void quotedIdentifier(int start, int bodyStart, Kind kind) {
        StringBuilder value = new StringBuilder();
        int i = bodyStart;
        while (true) {
            int quote = in.indexOf('"', i);
            if (quote < 0) {
                unterminated(kind == Kind.UNICODE_IDENTIFIER ? "U&\"\" identifier" : "quoted identifier");
                add(kind, start, value.append(in, i, in.length()).toString());
                return;
            }
            value.append(in, i, quote);
            if (charAt(quote + 1) == '"') {
                value.append('"');
                i = quote + 2;
            } else {
                pos = quote + 1;
                break;
            }
        }
        if (value.isEmpty() && problem == null) {
            problem = "a zero-length quoted identifier (\"\")";
        }
        add(kind, start, kind == Kind.QUOTED_IDENTIFIER ? truncated(value.toString()) : value.toString());
    }

    private enum Quoting { STANDARD, BACKSLASH }

    private void string(int start, int bodyStart, Quoting quoting, Kind kind) {
        StringBuilder value = new StringBuilder();
        int i = bodyStart;
        while (true) {
            if (i >= in.length()) {
                unterminated("quoted string");
                add(kind, start, value.toString());
                return;
            }
            char ch = in.charAt(i);
            if (ch == '\'') {
                if (charAt(i + 1) == '\'') {
                    value.append('\'');
                    i += 2;
                    continue;
                }
                int continued = continuation(i + 1);
                if (continued < 0) {
                    pos = i + 1;
                    break;
                }
                i = continued + 1;
            } else if (ch == '\\' && quoting == Quoting.BACKSLASH && kind == Kind.STRING) {
                i = escape(i, value);
            } else {
                value.append(ch);
                i++;
            }
        }
        add(kind, start, value.toString());
    }

    /**
     * Where the next part of a string continued after {@code from} starts (its opening quote), or -1. As in SQL, two
     * strings separated by whitespace that holds a newline (and maybe {@code --} comments) are one string.
     */
    private int continuation(int from) {
        int i = from;
        boolean newline = false;
        while (i < in.length()) {
            char ch = in.charAt(i);
            if (ch == '\n' || ch == '\r') {
                newline = true;
                i++;
            } else if (isSpace(ch)) {
                i++;
            } else if (ch == '-' && charAt(i + 1) == '-') {
                i = lineEnd(i);
            } else {
                break;
            }
        }
        return newline && charAt(i) == '\'' ? i : -1;
    }

    /** Applies the backslash escape at {@code i} (inside an E'' string) to {@code value}; returns where it ends. */
    private int escape(int i, StringBuilder value) {
        char e = charAt(i + 1);
        switch (e) {
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case 'x' -> {
                int end = hexRun(i + 2, 2);
                if (end > i + 2) {
                    value.append((char) Integer.parseInt(in.substring(i + 2, end), 16));
                    return end;
                }
                value.append('x');
            }
            case 'u', 'U' -> {
                int digits = e == 'u' ? 4 : 8;
                int end = hexRun(i + 2, digits);
                if (end == i + 2 + digits) {
                    value.appendCodePoint(Integer.parseInt(in.substring(i + 2, end), 16));
                    return end;
                }
                value.append(e);
            }
            case '\0' -> {
                return i + 1; // a backslash at the very end: the string is unterminated anyway
            }
            default -> {
                if (e >= '0' && e <= '7') {
                    int end = i + 1;
                    while (end < i + 4 && charAt(end) >= '0' && charAt(end) <= '7') {
                        end++;
                    }
                    value.append((char) (Integer.parseInt(in.substring(i + 1, end), 8) & 0xFF));
                    return end;
                }
                value.append(e);
            }
        }
        return i + 2;
    }

    private int hexRun(int from, int max) {
        int i = from;
        while (i < from + max && Character.digit(charAt(i), 16) >= 0) {
            i++;
        }
        return i;
    }

    private void dollar(int start) {
        int i = start + 1;
        if (isDigit(charAt(i))) {
            while (isDigit(charAt(i))) {
                i++;
            }
            pos = i;
            add(Kind.PARAMETER, start, in.substring(start, i));
            return;
        }
        if (charAt(i) != '$' && isIdentifierStart(charAt(i))) {
            while (isIdentifierStart(charAt(i)) || isDigit(charAt(i))) {
                i++;
            }
        }
        if (charAt(i) != '$') {
            pos = start + 1;
            add(Kind.PUNCTUATION, start, "$");
            return;
        }
        String tag = in.substring(start, i + 1);
        int close = in.indexOf(tag, i + 1);
        if (close < 0) {
            unterminated("dollar-quoted string");
            add(Kind.DOLLAR_STRING, start, in.substring(i + 1));
            return;
        }
        pos = close + tag.length();
        add(Kind.DOLLAR_STRING, start, in.substring(i + 1, close));
    }

    private void number(int start) {
        while (pos < in.length()) {
            char ch = in.charAt(pos);
            boolean exponentSign = (ch == '+' || ch == '-') && (in.charAt(pos - 1) == 'e' || in.charAt(pos - 1) == 'E')
                    && isDigit(charAt(pos + 1));
            if (isDigit(ch) || ch == '.' || ch == '_' || (ch < 128 && Character.isLetter(ch)) || exponentSign) {
                pos++;
            } else {
                break;
            }
        }
        add(Kind.NUMBER, start, in.substring(start, pos));
    }

    private void operator(int start) {
        while (pos < in.length() && OPERATOR_CHARS.indexOf(in.charAt(pos)) >= 0
                && !(pos > start && (startsWith("--") || startsWith("/*")))) {
            pos++;
        }
        add(Kind.OPERATOR, start, in.substring(start, pos));
    }

    private void skipLineComment() {
        pos = lineEnd(pos);
    }

    /** Block comments nest in SQL, unlike in C. */
    private void skipBlockComment() {
        int start = pos;
        int depth = 0;
        while (pos < in.length()) {
            if (startsWith("/*")) {
                depth++;
                pos += 2;
            } else if (startsWith("*/")) {
                depth--;
                pos += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                pos++;
            }
        }
        if (statementStart < 0) {
            statementStart = start;
            statementLine = lineAt(start);
        }
        statementEnd = pos;
        unterminated("/* comment");
    }

    private void unterminated(String what) {
        pos = in.length();
        if (problem == null) {
            problem = "an unterminated " + what + " (the script ends inside it)";
        }
    }

    private String truncated(String identifier) {
        byte[] utf8 = identifier.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_IDENTIFIER_BYTES) {
            return identifier;
        }
        // Like the server's truncate_identifier: whole characters only.
        int bytes = 0;
        int i = 0;
        while (i < identifier.length()) {
            int cp = identifier.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > MAX_IDENTIFIER_BYTES) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return identifier.substring(0, i);
    }

    private int lineEnd(int from) {
        int i = from;
        while (i < in.length() && in.charAt(i) != '\n' && in.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    /** Line numbers are asked for at increasing offsets, so counting continues from the last answer. */
    private int lineAt(int offset) {
        for (int i = lineOffset; i < offset; i++) {
            if (in.charAt(i) == '\n') {
                lineNumber++;
            }
        }
        lineOffset = offset;
        return lineNumber;
    }

    private boolean startsWith(String s) {
        return in.startsWith(s, pos);
    }

    private char charAt(int i) {
        return i < in.length() ? in.charAt(i) : '\0';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** [A-Za-z_] and every non-ASCII character, as in scan.l's ident_start. */
    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }
}
