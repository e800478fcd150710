package org.pgmigrate.cli.clone;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.TableFilter;
import picocli.CommandLine.Option;

/**
 * The filter flags of {@code clone}, pgcopydb's in spirit: repeatable include and exclude lists of exact names, and
 * {@code --filters FILE} in pgcopydb's format ({@link FiltersFile}). The flags and the file add up.
 */
public final class TableFilterOptions {

    @Option(names = "--include-schema", paramLabel = "SCHEMA", description = "Migrate only this schema's objects"
            + " (repeatable). Quote a name with capitals, spaces or dots: --include-schema '\"My Schema\"'.")
    List<String> includeSchemas = new ArrayList<>();

    @Option(names = "--exclude-schema", paramLabel = "SCHEMA", description = "Leave this schema and everything in it"
            + " out (repeatable).")
    List<String> excludeSchemas = new ArrayList<>();

    @Option(names = "--include-table", paramLabel = "SCHEMA.TABLE", description = "Migrate only the rows of these"
            + " tables (repeatable); other tables are left out, other objects stay. A partitioned table brings its"
            + " partitions.")
    List<String> includeTables = new ArrayList<>();

    @Option(names = "--exclude-table", paramLabel = "SCHEMA.TABLE", description = "Leave this table (with its"
            + " partitions, indexes and owned sequences) out (repeatable).")
    List<String> excludeTables = new ArrayList<>();

    @Option(names = "--exclude-table-data", paramLabel = "SCHEMA.TABLE", description = "Create this table with its"
            + " indexes and constraints, but copy none of its rows (repeatable).")
    List<String> excludeTableData = new ArrayList<>();

    @Option(names = "--filters", paramLabel = "FILE", description = "Filters in pgcopydb's format: sections"
            + " [include-only-schema], [exclude-schema], [include-only-table], [exclude-table], [exclude-table-data],"
            + " one name per line.")
    Path file;

    /** The filter these flags and the file describe; a bad name or line is invalid input (exit 2). */
    public TableFilter filter() {
        List<String> inSchemas = new ArrayList<>(includeSchemas);
        List<String> outSchemas = new ArrayList<>(excludeSchemas);
        List<String> inTables = new ArrayList<>(includeTables);
        List<String> outTables = new ArrayList<>(excludeTables);
        List<String> noData = new ArrayList<>(excludeTableData);
        if (file != null) {
            FiltersFile read = FiltersFile.read(file);
            inSchemas.addAll(read.includeOnlySchema());
            outSchemas.addAll(read.excludeSchema());
            inTables.addAll(read.includeOnlyTable());
            outTables.addAll(read.excludeTable());
            noData.addAll(read.excludeTableData());
        }
        try {
            return TableFilter.parse(inSchemas, outSchemas, inTables, outTables, noData);
        } catch (EngineException e) {
            throw CliException.invalidInput(e.getMessage());
        }
    }
}
