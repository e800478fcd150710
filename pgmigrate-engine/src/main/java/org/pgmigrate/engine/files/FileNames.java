package org.pgmigrate.engine.files;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * File names for things the source names (databases), so that a name such as {@code /tmp/x}, {@code ..} or one with
 * control characters can never leave the directory it is resolved against, nor meet another name's file. The name
 * keeps a readable part (letters, digits, {@code _} and {@code -}; everything else becomes {@code _}; at most 40
 * characters; never a leading {@code -}) and ends with 16 hex digits of the SHA-256 of the whole name, which alone
 * tell names apart. The same name always gives the same file name, so a resumed run finds its files.
 *
 * <p>Stateless.
 */
public final class FileNames {

    private static final int READABLE_CHARS = 40;

    private FileNames() {
    }

    /** A single path element for {@code name}: never empty, never {@code .} or {@code ..}, no separator. */
    public static String of(String name) {
        StringBuilder readable = new StringBuilder();
        name.codePoints().limit(READABLE_CHARS).forEach(c -> readable.append(
                c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-') ? (char) c : '_'));
        if (readable.isEmpty() || readable.charAt(0) == '-') {
            readable.insert(0, '_'); // never empty, never read as a command-line option
        }
        return readable + "-" + HexFormat.of().formatHex(sha256(name), 0, 8);
    }

    private static byte[] sha256(String name) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
