package org.pgmigrate.cli.output;

/** The {@code --output} formats. JSON is the default, as in az. */
public enum OutputFormat {
    /** Indented JSON, as az prints it. */
    JSON,
    /** Human-readable columns. */
    TABLE;

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
