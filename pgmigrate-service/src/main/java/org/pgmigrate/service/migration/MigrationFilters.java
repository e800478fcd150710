package org.pgmigrate.service.migration;

import java.util.List;
import org.pgmigrate.engine.catalog.TableFilter;

/**
 * pgmigrate's extra migration property {@code filters}: the schemas and tables to migrate, as the user wrote the
 * names (stored and shown back that way). Each list may be empty; the engine's {@link TableFilter} reads them.
 */
public record MigrationFilters(List<String> includeSchemas, List<String> excludeSchemas, List<String> includeTables,
                               List<String> excludeTables, List<String> excludeTableData) {

    public MigrationFilters {
        includeSchemas = copy(includeSchemas);
        excludeSchemas = copy(excludeSchemas);
        includeTables = copy(includeTables);
        excludeTables = copy(excludeTables);
        excludeTableData = copy(excludeTableData);
    }

    /** The engine's filter; {@link TableFilter#NONE} for a migration without one (null). */
    public static TableFilter of(MigrationFilters filters) {
        return filters == null ? TableFilter.NONE : filters.toTableFilter();
    }

    public TableFilter toTableFilter() {
        return TableFilter.parse(includeSchemas, excludeSchemas, includeTables, excludeTables, excludeTableData);
    }

    private static List<String> copy(List<String> names) {
        return names == null ? List.of() : List.copyOf(names);
    }
}
