package org.pgmigrate.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one command line into words as a POSIX shell does for quotes and comments (an unquoted {@code #} that
 * starts a word starts a comment). No expansions: the documented commands need none.
 */
final class ShellWords {

    private ShellWords() {
    }

    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '#' && word == null) {
                break;
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new AssertionError("unbalanced " + quote + " in: " + text);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
