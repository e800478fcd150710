package org.pgmigrate.engine.catalog;

import java.util.List;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * A table whose rows the engine copies: a plain table, a leaf partition, or an inheritance parent (COPY TO reads
 * only its own rows, so parents and children never duplicate). Partitioned parents hold no rows and are not tables
 * here; materialized views are refreshed, not copied.
 *
 * @param bytes           size on disk (heap, TOAST, maps) when inspected; orders the copy queue, largest first
 * @param splitKey        a NOT NULL single integer column with a unique index, usable for key-range parts; or null
 * @param orderKey        the primary key (or NOT NULL unique) columns, for ordered verification; empty if none
 * @param heap            uses the heap access method, so ctid ranges are meaningful
 * @param extensionFilter for an extension's configuration table, the WHERE condition selecting user rows (the
 *                        extension's own rows are created by CREATE EXTENSION on the target); null otherwise
 */
public record Table(long oid, String schema, String name, boolean partition, boolean unlogged, long bytes,
                    long estimatedRows, List<Column> columns, Column splitKey, List<String> orderKey, boolean heap,
                    String extensionFilter) {

    public Table {
        columns = List.copyOf(columns);
        orderKey = List.copyOf(orderKey);
    }

    /** "schema"."name", quoted. */
    public String qualifiedName() {
        return Identifiers.qualified(schema, name);
    }

    /** schema.name without quotes, for messages and checkpoint keys. */
    public String displayName() {
        return schema + "." + name;
    }

    /** The quoted column list, e.g. {@code "id", "Name"}. */
    public String columnList() {
        StringBuilder s = new StringBuilder();
        for (Column c : columns) {
            if (!s.isEmpty()) {
                s.append(", ");
            }
            s.append(Identifiers.quote(c.name()));
        }
        return s.toString();
    }

    /** Whether binary COPY can carry every column to a cluster of the same major ({@link Column#binaryPortable}). */
    public boolean binaryPortable() {
        return !columns.isEmpty() && columns.stream().allMatch(Column::binaryPortable);
    }
}
