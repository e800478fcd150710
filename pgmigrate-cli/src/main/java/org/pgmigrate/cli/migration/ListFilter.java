package org.pgmigrate.cli.migration;

import org.pgmigrate.cli.output.Choice;

/** {@code --filter}: the API's {@code migrationListFilter}. */
enum ListFilter {
    ACTIVE("Active"),
    ALL("All");

    private final String wireValue;

    ListFilter(String wireValue) {
        this.wireValue = wireValue;
    }

    @Override
    public String toString() {
        return wireValue;
    }

    /** Parses az's spelling in any case. */
    static final class Converter extends Choice<ListFilter> {
        Converter() {
            super(ListFilter.class);
        }
    }
}
