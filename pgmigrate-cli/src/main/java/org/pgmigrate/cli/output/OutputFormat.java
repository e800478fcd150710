package org.pgmigrate.cli.output;

/** The {@code --output} formats, az's: JSON is the default. */
public enum OutputFormat {
    /** Indented JSON, keys sorted, as az prints it. */
    JSON,
    /** JSON in color on a terminal (plain JSON otherwise, as az does). */
    JSONC,
    /** Columns: the command's own view, or az's automatic table of the {@code --query} result. */
    TABLE,
    /** Tab-separated values, no keys: for scripts. */
    TSV,
    /** YAML, keys sorted. */
    YAML,
    /** YAML in color on a terminal. */
    YAMLC,
    /** Nothing (errors and warnings still go to stderr). */
    NONE;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses az's spelling in any case. */
    public static final class Converter extends Choice<OutputFormat> {
        public Converter() {
            super(OutputFormat.class);
        }
    }
}
