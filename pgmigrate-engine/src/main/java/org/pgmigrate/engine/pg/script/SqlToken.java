package org.pgmigrate.engine.pg.script;

/**
 * One token of a SQL statement as PostgreSQL's scanner ({@code src/backend/parser/scan.l}) reads it. Whitespace and
 * comments are not tokens.
 *
 * @param kind  what the token is
 * @param text  the token exactly as written: quotes, prefixes and escapes included
 * @param value what it means: an unquoted identifier folded to lower case; a quoted identifier without its quotes
 *              and with {@code ""} undone; a string's content with its escapes applied; for the Unicode-escape
 *              forms ({@code U&"..."}, {@code U&'...'}) the content with its escapes NOT applied (a later
 *              {@code UESCAPE} may change them); the text otherwise. Identifiers are truncated to 63 bytes as the
 *              server truncates them (NAMEDATALEN, UTF-8).
 * @param start where the token starts in its statement's text
 */
public record SqlToken(Kind kind, String text, String value, int start) {

    /** The token classes that matter to a reader of statements. */
    public enum Kind {
        /** An unquoted identifier or key word: {@code value} is folded to lower case. */
        IDENTIFIER,
        /** A double-quoted identifier: {@code value} is the name verbatim. */
        QUOTED_IDENTIFIER,
        /** {@code U&"..."}: {@code value} is not decoded. */
        UNICODE_IDENTIFIER,
        /** {@code '...'}, {@code E'...'}, {@code B'...'}, {@code X'...'}, {@code N'...'}, with continuations. */
        STRING,
        /** {@code U&'...'}: {@code value} is not decoded. */
        UNICODE_STRING,
        /** {@code $$...$$} or {@code $tag$...$tag$}. */
        DOLLAR_STRING,
        NUMBER,
        /** {@code $1}. */
        PARAMETER,
        /** A run of operator characters ({@code + - * / < > = ~ ! @ # % ^ & | ` ?}). */
        OPERATOR,
        /** One other character: {@code ( ) [ ] , : . } and anything the scanner would reject. */
        PUNCTUATION
    }

    public int end() {
        return start + text.length();
    }

    /** Whether this is the unquoted key word or identifier {@code word} (give it in lower case). */
    public boolean isWord(String word) {
        return kind == Kind.IDENTIFIER && value.equals(word);
    }

    /** Whether this is an identifier, quoted or not (not the Unicode-escape form). */
    public boolean isName() {
        return kind == Kind.IDENTIFIER || kind == Kind.QUOTED_IDENTIFIER;
    }

    /** Whether this is the punctuation or operator {@code symbol}. */
    public boolean isSymbol(String symbol) {
        return (kind == Kind.PUNCTUATION || kind == Kind.OPERATOR) && text.equals(symbol);
    }
}
