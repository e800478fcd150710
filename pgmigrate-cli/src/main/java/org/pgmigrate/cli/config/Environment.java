package org.pgmigrate.cli.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The process environment the CLI reads: environment variables and the user's home directory. Commands use
 * {@link #system()}; tests build one from a map so that no real variable or home directory is touched.
 * Immutable and thread-safe.
 */
public record Environment(Map<String, String> variables, Path userHome) {

    public Environment {
        variables = Map.copyOf(variables);
    }

    public static Environment system() {
        return new Environment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The variable's value, or empty when it is unset or blank (a blank value counts as "not set", as in az). */
    public Optional<String> get(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
