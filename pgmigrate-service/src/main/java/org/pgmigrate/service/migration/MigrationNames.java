package org.pgmigrate.service.migration;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name rules of the seed: letters, digits and hyphens, not starting with a hyphen, at most 63 characters
 * (the seed wins over the spec's {@code ^[a-z][a-z0-9]*$}, so the CLI's UUID names are valid). Uniqueness per
 * target server is the store's job.
 */
public final class MigrationNames {

    public static final int MAX_LENGTH = 63;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");

    private MigrationNames() {
    }

    /** Why {@code name} is not a valid migration name, or empty when it is. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("The migration name is empty. Use letters, digits and hyphens, such as migration1.");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("The migration name '" + abbreviate(name) + "' is " + name.length()
                    + " characters long; the limit is " + MAX_LENGTH + ".");
        }
        if (name.startsWith("-")) {
            return Optional.of("The migration name '" + name + "' starts with a hyphen; it must start with a letter or digit.");
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.of("The migration name '" + name + "' contains '" + firstBad(name) + "'. It accepts only "
                    + "alphanumeric characters and hyphens (-), and can't start with a hyphen.");
        }
        return Optional.empty();
    }

    private static char firstBad(String name) {
        for (char c : name.toCharArray()) {
            if (!(c == '-' || (c < 128 && Character.isLetterOrDigit(c)))) {
                return c;
            }
        }
        return '?';
    }

    private static String abbreviate(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }
}
