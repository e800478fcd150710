package org.pgmigrate.service.security;

import java.util.Collection;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that pgmigrate did not write (the output of a user's command), before any of it is kept:
 * the known passwords given, and whatever looks like one: {@code password=...}, {@code PGPASSWORD=...},
 * {@code "password": "..."} and the password of a {@code postgresql://user:password@host} URI. Stateless and
 * thread-safe.
 */
public final class SecretScrubber {

    public static final String MASK = "***";

    /** scheme://user:password@ : the password is what lies between the user's colon and the at sign. */
    private static final Pattern URI_PASSWORD = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^\\s:/@]*:)[^\\s@/]*@");
    /** password=x, PGPASSWORD: x, "password": "x", passwd=x, pwd=x, secret=x (up to the next space or quote, on the same line). */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)(\\b[a-z_]*(?:password|passwd|pwd|secret)[a-z_]*[\"']?[ \\t]*[=:][ \\t]*[\"']?)[^\\s\"',;&]+");

    private SecretScrubber() {
    }

    /** {@code text} with every one of {@code secrets} (nulls and empty ones ignored) and every secret-looking value masked. */
    public static String scrub(String text, Collection<String> secrets) {
        String result = text;
        // longest first, so that a password containing another one is masked whole
        for (String secret : secrets.stream().filter(s -> s != null && !s.isEmpty())
                .sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            result = result.replace(secret, MASK);
        }
        result = URI_PASSWORD.matcher(result).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
        return KEY_VALUE.matcher(result).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    }
}
