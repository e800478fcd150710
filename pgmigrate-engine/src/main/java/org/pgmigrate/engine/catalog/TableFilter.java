package org.pgmigrate.engine.catalog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

/**
 * Which schemas and tables a migration takes, as the user named them (pgcopydb's {@code --filters} sections):
 * include-only schemas, excluded schemas, include-only tables, excluded tables, and tables whose definition is
 * migrated without their rows. Names are exact (no patterns). {@link TableSelection#resolve} checks them against the
 * source and decides, in one place, what each relation becomes.
 *
 * <p>A table named in {@code includeTables} brings its partitions (or inheritance children) with it, and the
 * definitions of its parents, without their own rows; a table named in {@code excludeTables} or
 * {@code excludeTableData} takes its partitions and children along.
 */
public record TableFilter(Set<String> includeSchemas, Set<String> excludeSchemas, Set<QualifiedName> includeTables,
                          Set<QualifiedName> excludeTables, Set<QualifiedName> excludeTableData) {

    /** Everything: no filter. */
    public static final TableFilter NONE = new TableFilter(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());

    public TableFilter {
        includeSchemas = sorted(includeSchemas);
        excludeSchemas = sorted(excludeSchemas);
        includeTables = sorted(includeTables);
        excludeTables = sorted(excludeTables);
        excludeTableData = sorted(excludeTableData);
        for (String s : includeSchemas) {
            if (excludeSchemas.contains(s)) {
                throw contradiction("Schema " + schemaName(s) + " is both included and excluded");
            }
        }
        for (QualifiedName t : includeTables) {
            if (excludeTables.contains(t)) {
                throw contradiction("Table " + t + " is both included and excluded");
            }
        }
        for (QualifiedName t : excludeTableData) {
            if (excludeTables.contains(t)) {
                throw contradiction("Table " + t + " is excluded, and its data excluded as well");
            }
        }
    }

    /**
     * A filter from names as users write them ({@code public.orders}, {@code "My Schema"."T.1"}); null lists are
     * empty. A name that cannot be read is an {@link EngineError#INVALID_INPUT} naming it.
     */
    public static TableFilter parse(Collection<String> includeSchemas, Collection<String> excludeSchemas,
                                    Collection<String> includeTables, Collection<String> excludeTables,
                                    Collection<String> excludeTableData) {
        return new TableFilter(each(includeSchemas, QualifiedName::parseSchema),
                each(excludeSchemas, QualifiedName::parseSchema), each(includeTables, QualifiedName::parseTable),
                each(excludeTables, QualifiedName::parseTable), each(excludeTableData, QualifiedName::parseTable));
    }

    public boolean isEmpty() {
        return includeSchemas.isEmpty() && excludeSchemas.isEmpty() && includeTables.isEmpty()
                && excludeTables.isEmpty() && excludeTableData.isEmpty();
    }

    /** Whether a schema's objects are migrated at all. */
    public boolean coversSchema(String schema) {
        return (includeSchemas.isEmpty() || includeSchemas.contains(schema)) && !excludeSchemas.contains(schema);
    }

    /**
     * Whether the rows of a table created on the source after the migration started would be in scope (so that online
     * replication must not miss them): its schema is covered, neither it nor a parent ({@code ancestors}) is excluded
     * or data-excluded, and, with include-only tables, it or a parent is one of them.
     */
    public boolean wantsRowsOf(QualifiedName table, Collection<QualifiedName> ancestors) {
        if (!coversSchema(table.schema())) {
            return false;
        }
        List<QualifiedName> lineage = new ArrayList<>(ancestors);
        lineage.add(table);
        if (lineage.stream().anyMatch(t -> excludeTables.contains(t) || excludeTableData.contains(t))) {
            return false;
        }
        return includeTables.isEmpty() || lineage.stream().anyMatch(includeTables::contains);
    }

    /** One line per non-empty list, for a checkpoint that a resumed run compares and for messages. */
    public String describe() {
        if (isEmpty()) {
            return "no filters";
        }
        List<String> parts = new ArrayList<>();
        add(parts, "include-only-schema", includeSchemas.stream().map(TableFilter::schemaName).toList());
        add(parts, "exclude-schema", excludeSchemas.stream().map(TableFilter::schemaName).toList());
        add(parts, "include-only-table", includeTables.stream().map(QualifiedName::toString).toList());
        add(parts, "exclude-table", excludeTables.stream().map(QualifiedName::toString).toList());
        add(parts, "exclude-table-data", excludeTableData.stream().map(QualifiedName::toString).toList());
        return String.join("; ", parts);
    }

    /** A schema's name for messages, quoted only where a reader needs it. */
    static String schemaName(String schema) {
        return org.pgmigrate.engine.pg.Identifiers.forMessage(schema);
    }

    private static void add(List<String> parts, String label, List<String> names) {
        if (!names.isEmpty()) {
            parts.add(label + ": " + String.join(", ", names));
        }
    }

    private static <T extends Comparable<T>> Set<T> sorted(Set<T> values) {
        return values == null ? Set.of() : java.util.Collections.unmodifiableSet(new TreeSet<>(values));
    }

    private static <T extends Comparable<T>> Set<T> each(Collection<String> texts, Function<String, T> parse) {
        Set<T> out = new TreeSet<>();
        if (texts != null) {
            texts.forEach(t -> out.add(parse.apply(t)));
        }
        return out;
    }

    private static EngineException contradiction(String what) {
        return new EngineException(EngineError.INVALID_INPUT, what + " in the filters: name it in one list only.");
    }
}
