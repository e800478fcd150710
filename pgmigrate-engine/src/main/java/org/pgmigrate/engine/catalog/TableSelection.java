package org.pgmigrate.engine.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * A {@link TableFilter} checked against one source database and turned into what each relation becomes: migrated
 * with its rows, migrated without them (its definition only), or left out. The one place that decides it; the copy
 * ({@link Catalog#select}), pg_dump ({@link #pgDumpArguments}), sequences, verification
 * ({@link #excludesDefinition}) and online replication ({@link #publishedTables}) all ask it.
 *
 * <p>{@link #resolve} refuses, before anything is written, names the source does not have, and filters that would
 * leave the target broken: a view or a foreign key of a migrated table on a table left out, or a foreign key from a
 * table whose rows are copied to a table whose rows are not. Immutable.
 */
public final class TableSelection {

    /** No filter: everything, and no query was run. */
    public static final TableSelection ALL = new TableSelection(TableFilter.NONE, Set.of(), Map.of(), Set.of(),
            Set.of(), Set.of(), Set.of(), List.of());

    private static final int LISTED_PROBLEMS = 10;

    private final TableFilter filter;
    private final Set<String> userSchemas;
    private final Map<Long, Relation> relations;
    private final Set<Long> excluded;
    private final Set<Long> withoutRows;
    private final Set<QualifiedName> excludedNames;
    private final Set<QualifiedName> excludedSequences;
    private final List<QualifiedName> ownedSequencesToExclude;

    private TableSelection(TableFilter filter, Set<String> userSchemas, Map<Long, Relation> relations,
                           Set<Long> excluded, Set<Long> withoutRows, Set<QualifiedName> excludedNames,
                           Set<QualifiedName> excludedSequences, List<QualifiedName> ownedSequencesToExclude) {
        this.filter = filter;
        this.userSchemas = userSchemas;
        this.relations = relations;
        this.excluded = excluded;
        this.withoutRows = withoutRows;
        this.excludedNames = excludedNames;
        this.excludedSequences = excludedSequences;
        this.ownedSequencesToExclude = ownedSequencesToExclude;
    }

    /** A relation of the source: table, partitioned table, foreign table, view or materialized view. */
    private record Relation(long oid, QualifiedName name, char kind, boolean permanent, List<Long> parents) {
        boolean table() {
            return kind == 'r' || kind == 'p' || kind == 'f';
        }

        String kindName() {
            return switch (kind) {
                case 'v' -> "view";
                case 'm' -> "materialized view";
                case 'p' -> "partitioned table";
                case 'f' -> "foreign table";
                default -> "table";
            };
        }
    }

    /**
     * Checks {@code filter} against the database {@code c} is connected to (inside the migration's snapshot, when
     * there is one) and resolves it. {@link TableFilter#NONE} costs nothing. Throws {@link EngineError#INVALID_INPUT}
     * naming every name the source does not have, or every dependency the filter would break.
     */
    public static TableSelection resolve(Connection c, TableFilter filter, String database) throws SQLException {
        if (filter.isEmpty()) {
            return ALL;
        }
        ServerVersion version = ServerVersion.of(c);
        Set<String> schemas = readSchemas(c);
        Map<Long, Relation> relations = readRelations(c);
        Map<QualifiedName, Relation> byName = new HashMap<>();
        relations.values().forEach(r -> byName.put(r.name(), r));
        requireNamesExist(filter, schemas, byName, database);

        Map<Long, List<Long>> children = new HashMap<>();
        for (Relation r : relations.values()) {
            r.parents().forEach(p -> children.computeIfAbsent(p, k -> new ArrayList<>()).add(r.oid()));
        }
        Set<Long> excluded = new HashSet<>(closure(oids(filter.excludeTables(), byName), children));
        Set<Long> withoutRows = new HashSet<>(closure(oids(filter.excludeTableData(), byName), children));
        Set<Long> included = null;
        if (!filter.includeTables().isEmpty()) {
            Set<Long> named = closure(oids(filter.includeTables(), byName), children);
            Map<Long, List<Long>> parents = new HashMap<>();
            relations.values().forEach(r -> parents.put(r.oid(), r.parents()));
            // A partition or child cannot be created without its parents: they come along, without their own rows.
            Set<Long> lineage = closure(named, parents);
            lineage.stream().filter(o -> !named.contains(o)).forEach(withoutRows::add);
            included = lineage;
        }
        for (Relation r : relations.values()) {
            if (!filter.coversSchema(r.name().schema()) || (r.table() && included != null && !included.contains(r.oid()))) {
                excluded.add(r.oid());
            }
        }
        requireNamedTablesKept(filter, byName, excluded);
        withoutRows.removeAll(excluded);
        requireDependenciesKept(c, version, relations, excluded, withoutRows, database);

        Set<QualifiedName> excludedNames = new HashSet<>();
        excluded.forEach(o -> excludedNames.add(relations.get(o).name()));
        Set<QualifiedName> excludedSequences = new HashSet<>();
        List<QualifiedName> ownedToExclude = new ArrayList<>();
        for (Object[] seq : readSequences(c)) {
            QualifiedName name = (QualifiedName) seq[0];
            Long owner = (Long) seq[1];
            if (!filter.coversSchema(name.schema())) {
                excludedSequences.add(name);
            } else if (owner != null && excluded.contains(owner)) {
                excludedSequences.add(name);
                ownedToExclude.add(name);
            }
        }
        return new TableSelection(filter, schemas, relations, excluded, withoutRows, excludedNames, excludedSequences,
                ownedToExclude);
    }

    public TableFilter filter() {
        return filter;
    }

    /** True when nothing is filtered. */
    public boolean everything() {
        return filter.isEmpty();
    }

    /** Whether the rows of the table with this OID are copied. */
    public boolean copiesRows(long tableOid) {
        return everything() || (!excluded.contains(tableOid) && !withoutRows.contains(tableOid));
    }

    /** Whether the sequence's value is carried over (it is left out with its schema or its owning table). */
    public boolean includesSequence(String schema, String name) {
        return everything() || !excludedSequences.contains(new QualifiedName(schema, name));
    }

    /**
     * Whether a definition that verification reads belongs to what the filter leaves out: anything in a schema left
     * out, a table left out, a sequence left out. What belongs to such a table (columns, indexes, constraints,
     * triggers) follows its table in the comparison.
     *
     * @param schema the object's schema, or null for objects outside schemas (extensions)
     * @param kind   the definition's kind ("table", "sequence", ...)
     * @param name   the object's own name, or null
     */
    public boolean excludesDefinition(String schema, String kind, String name) {
        if (everything() || schema == null) {
            return false;
        }
        if (!filter.coversSchema(schema)) {
            return true;
        }
        if (name == null) {
            return false;
        }
        QualifiedName q = new QualifiedName(schema, name);
        return switch (kind) {
            case "table" -> excludedNames.contains(q);
            case "sequence" -> excludedSequences.contains(q);
            default -> false;
        };
    }

    /**
     * The arguments that make pg_dump leave out what the filter leaves out, each name double-quoted so that pg_dump
     * reads it literally (its patterns treat quoted text as is: no wildcards, no case folding). Include-only lists
     * become exclusions of everything else, because pg_dump's {@code --table} and {@code --schema} would also leave
     * out extensions, and the schemas of the tables they name.
     */
    public List<String> pgDumpArguments() {
        if (everything()) {
            return List.of();
        }
        List<String> args = new ArrayList<>();
        for (String schema : new java.util.TreeSet<>(userSchemas)) {
            if (!filter.coversSchema(schema)) {
                args.add("--exclude-schema=" + Identifiers.quote(schema));
            }
        }
        List<QualifiedName> tables = new ArrayList<>();
        for (long oid : excluded) {
            Relation r = relations.get(oid);
            if (r.table() && filter.coversSchema(r.name().schema())) {
                tables.add(r.name());
            }
        }
        tables.addAll(ownedSequencesToExclude);
        tables.stream().sorted().forEach(t -> args.add("--exclude-table=" + t.quoted()));
        return args;
    }

    /**
     * The tables whose changes online replication carries: those whose rows are copied, one by one (a partition is
     * listed itself, so that a partition left out of a partitioned table stays out), permanent ones only (an
     * unlogged table's changes are not decoded).
     */
    public List<QualifiedName> publishedTables() {
        List<QualifiedName> names = new ArrayList<>();
        for (Relation r : relations.values()) {
            if (r.kind() == 'r' && r.permanent() && copiesRows(r.oid())) {
                names.add(r.name());
            }
        }
        names.sort(null);
        return names;
    }

    private static Set<String> readSchemas(Connection c) throws SQLException {
        Set<String> schemas = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE " + CatalogReader.SYSTEM_SCHEMAS)) {
            while (rs.next()) {
                schemas.add(rs.getString(1));
            }
        }
        return schemas;
    }

    private static Map<Long, Relation> readRelations(Connection c) throws SQLException {
        Map<Long, Relation> relations = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT r.oid, n.nspname, r.relname, r.relkind::text, r.relpersistence = 'p',"
                        + " ARRAY(SELECT i.inhparent::bigint FROM pg_catalog.pg_inherits i WHERE i.inhrelid = r.oid"
                        + "   ORDER BY i.inhseqno)"
                        + " FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                        + " WHERE r.relkind IN ('r', 'p', 'f', 'v', 'm') AND " + CatalogReader.SYSTEM_SCHEMAS)) {
            while (rs.next()) {
                Array parents = rs.getArray(6);
                List<Long> parentOids = new ArrayList<>();
                for (Object p : (Object[]) parents.getArray()) {
                    parentOids.add(((Number) p).longValue());
                }
                long oid = rs.getLong(1);
                relations.put(oid, new Relation(oid, new QualifiedName(rs.getString(2), rs.getString(3)),
                        rs.getString(4).charAt(0), rs.getBoolean(5), parentOids));
            }
        }
        return relations;
    }

    /** Each sequence with the table that owns it (serial or identity), or null. */
    private static List<Object[]> readSequences(Connection c) throws SQLException {
        List<Object[]> sequences = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT n.nspname, r.relname, (SELECT d.refobjid::bigint FROM pg_catalog.pg_depend d"
                        + "   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = r.oid"
                        + "   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0"
                        + "   AND d.deptype IN ('a', 'i') LIMIT 1)"
                        + " FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                        + " WHERE r.relkind = 'S' AND " + CatalogReader.SYSTEM_SCHEMAS)) {
            while (rs.next()) {
                long owner = rs.getLong(3);
                sequences.add(new Object[] {new QualifiedName(rs.getString(1), rs.getString(2)),
                        rs.wasNull() ? null : owner});
            }
        }
        return sequences;
    }

    private static void requireNamesExist(TableFilter filter, Set<String> schemas, Map<QualifiedName, Relation> byName,
                                          String database) {
        List<String> problems = new ArrayList<>();
        Set<String> namedSchemas = new LinkedHashSet<>(filter.includeSchemas());
        namedSchemas.addAll(filter.excludeSchemas());
        for (String schema : namedSchemas) {
            if (!schemas.contains(schema)) {
                problems.add("schema " + TableFilter.schemaName(schema) + " does not exist");
            }
        }
        List<QualifiedName> namedTables = new ArrayList<>(filter.includeTables());
        namedTables.addAll(filter.excludeTables());
        namedTables.addAll(filter.excludeTableData());
        for (QualifiedName table : namedTables) {
            Relation r = byName.get(table);
            if (r == null) {
                problems.add("table " + table + " does not exist");
            } else if (!r.table()) {
                problems.add(table + " is a " + r.kindName() + ", not a table");
            }
        }
        if (!problems.isEmpty()) {
            throw new EngineException(EngineError.INVALID_INPUT, "The filters name what source database " + database
                    + " does not have: " + String.join("; ", problems) + ". Names are exact: an unquoted name is read"
                    + " in lower case, so write a name with capitals or spaces in double quotes (\"Sales\".\"Orders\")."
                    + " Nothing was written.");
        }
    }

    /** A table the user named to include, or to keep without rows, must not be left out by another rule. */
    private static void requireNamedTablesKept(TableFilter filter, Map<QualifiedName, Relation> byName,
                                               Set<Long> excluded) {
        List<String> dropped = new ArrayList<>();
        List<QualifiedName> kept = new ArrayList<>(filter.includeTables());
        kept.addAll(filter.excludeTableData());
        for (QualifiedName t : kept) {
            if (excluded.contains(byName.get(t).oid())) {
                dropped.add(t.toString());
            }
        }
        if (!dropped.isEmpty()) {
            throw new EngineException(EngineError.INVALID_INPUT, "The filters name " + String.join(", ", dropped)
                    + " to migrate, but also leave " + (dropped.size() == 1 ? "it" : "them") + " out (through "
                    + (dropped.size() == 1 ? "its" : "their") + " schema or a parent table). Name each table in one"
                    + " list only.");
        }
    }

    /**
     * Refuses what the restore of a filtered schema would break: a view or materialized view that reads a table left
     * out, a foreign key from a migrated table to a table left out, a foreign key from a table whose rows are copied
     * to a table whose rows are not (validating it would fail once the rows are in).
     */
    private static void requireDependenciesKept(Connection c, ServerVersion v, Map<Long, Relation> relations,
                                                Set<Long> excluded, Set<Long> withoutRows, String database)
            throws SQLException {
        String topForeignKey = v.atLeast(11) ? " AND con.conparentid = 0" : "";
        List<String> problems = new ArrayList<>();
        int more = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT DISTINCT w.ev_class::bigint, NULL::name, d.refobjid::bigint FROM pg_catalog.pg_depend d"
                        + " JOIN pg_catalog.pg_rewrite w ON w.oid = d.objid"
                        + " WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
                        + " AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid <> w.ev_class"
                        + " UNION ALL"
                        + " SELECT con.conrelid::bigint, con.conname, con.confrelid::bigint"
                        + " FROM pg_catalog.pg_constraint con WHERE con.contype = 'f' AND con.conrelid <> con.confrelid"
                        + topForeignKey)) {
            while (rs.next()) {
                Relation dependent = relations.get(rs.getLong(1));
                String foreignKey = rs.getString(2);
                Relation referenced = relations.get(rs.getLong(3));
                if (dependent == null || referenced == null || excluded.contains(dependent.oid())) {
                    continue;
                }
                String problem = null;
                if (excluded.contains(referenced.oid())) {
                    problem = foreignKey == null
                            ? dependent.kindName() + " " + dependent.name() + " reads " + referenced.name()
                            + ", which the filters leave out"
                            : "foreign key " + Identifiers.forMessage(foreignKey) + " of " + dependent.name()
                            + " references " + referenced.name() + ", which the filters leave out";
                } else if (foreignKey != null && withoutRows.contains(referenced.oid())
                        && !withoutRows.contains(dependent.oid())) {
                    problem = "foreign key " + Identifiers.forMessage(foreignKey) + " of " + dependent.name()
                            + " references " + referenced.name() + ", whose rows the filters leave out (the copied"
                            + " rows of " + dependent.name() + " would violate it)";
                }
                if (problem != null) {
                    if (problems.size() < LISTED_PROBLEMS) {
                        problems.add(problem);
                    } else {
                        more++;
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new EngineException(EngineError.INVALID_INPUT, "The filters would leave database " + database
                    + " broken on the target: " + String.join("; ", problems) + (more > 0 ? "; and " + more + " more"
                    : "") + ". Leave out the dependent objects too (exclude the table, or its data), or keep what they"
                    + " depend on. Nothing was written.");
        }
    }

    private static Set<Long> oids(Collection<QualifiedName> names, Map<QualifiedName, Relation> byName) {
        Set<Long> oids = new HashSet<>();
        names.forEach(n -> oids.add(byName.get(n).oid()));
        return oids;
    }

    /** {@code start} and everything reachable from it through {@code edges}. */
    private static Set<Long> closure(Set<Long> start, Map<Long, List<Long>> edges) {
        Set<Long> seen = new HashSet<>(start);
        Deque<Long> todo = new ArrayDeque<>(start);
        while (!todo.isEmpty()) {
            for (long next : edges.getOrDefault(todo.pop(), List.of())) {
                if (seen.add(next)) {
                    todo.push(next);
                }
            }
        }
        return seen;
    }
}
