package org.pgmigrate.engine.catalog;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * What the engine learned about one source database, read inside the migration's snapshot.
 *
 * @param largeObjects number of large objects (their OIDs are streamed when copied, never held)
 */
public record Catalog(ServerVersion version, DatabaseProperties database, List<Table> tables, List<Index> indexes,
                      List<Sequence> sequences, long largeObjects) {

    public Catalog {
        tables = List.copyOf(tables);
        indexes = List.copyOf(indexes);
        sequences = List.copyOf(sequences);
    }

    /**
     * What this catalog becomes under {@code selection}: the tables whose rows are copied, the indexes the engine
     * builds on them (a table kept without its rows gets its indexes from post-data, like any other object), and the
     * sequences that are carried over.
     */
    public Catalog select(TableSelection selection) {
        if (selection.everything()) {
            return this;
        }
        return new Catalog(version, database, tables.stream().filter(t -> selection.copiesRows(t.oid())).toList(),
                indexes.stream().filter(i -> selection.copiesRows(i.tableOid())).toList(),
                sequences.stream().filter(s -> selection.includesSequence(s.schema(), s.name())).toList(),
                largeObjects);
    }

    public long totalBytes() {
        return tables.stream().mapToLong(Table::bytes).sum();
    }

    /** The indexes the engine builds itself, by table OID. */
    public Map<Long, List<Index>> indexesByTable() {
        return indexes.stream().collect(Collectors.groupingBy(Index::tableOid));
    }
}
