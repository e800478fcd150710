package org.pgmigrate.engine.cdc.apply;

import java.util.List;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * A source relation mapped onto its target table: for each column the source publishes (in the source's order),
 * what the target says about it. Built and checked once per Relation message.
 *
 * @param qualifiedName the quoted target name, for SQL
 * @param displayName   schema.table as a person reads it, for messages
 * @param partitioned   the target table is partitioned (TRUNCATE ONLY is not allowed on it)
 * @param fullIdentity  the source sends whole old rows (REPLICA IDENTITY FULL): change exactly one row by ctid
 * @param identityOnlyUnique the target table has no unique index or exclusion constraint besides its primary key
 *                      or replica identity index, so no row's values constrain another row's
 */
record TargetTable(int relationId, String qualifiedName, String displayName, boolean partitioned,
                   boolean fullIdentity, boolean identityOnlyUnique, List<Column> columns) {

    /**
     * @param key            part of the replica identity (primary key or identity index) on the source
     * @param identityAlways the target column is GENERATED ALWAYS AS IDENTITY (an UPDATE may not set it)
     * @param equality       the target type has a default btree equality, so {@code col = ?} is exact and can use
     *                       an index; otherwise FULL-identity matching compares {@code col::text}
     * @param type           the target type as SQL spells it ({@code format_type}), for casts
     * @param listable       values of the type can travel in an array literal with comma delimiters and come
     *                       back out of unnest unchanged: false for arrays (unnest would flatten an array of
     *                       arrays), for composites (unnest in FROM would expand each into its fields), for types
     *                       delimited otherwise (box), and for types without an array type
     */
    record Column(String name, boolean key, boolean identityAlways, boolean equality, String type,
                  boolean listable) {
        String quoted() {
            return Identifiers.quote(name);
        }
    }

    /**
     * The table as UPDATE, DELETE and row lookups name it: with ONLY, so that a statement on an inheritance parent
     * does not reach its children's rows (a child's changes arrive as the child's own); without it for a partitioned
     * table, whose partitions hold its rows.
     */
    String ownRows() {
        return partitioned ? qualifiedName : "ONLY " + qualifiedName;
    }

    int size() {
        return columns.size();
    }

    Column column(int i) {
        return columns.get(i);
    }

    boolean hasIdentityAlways() {
        return columns.stream().anyMatch(Column::identityAlways);
    }

    TargetTable withoutIdentityAlways() {
        return new TargetTable(relationId, qualifiedName, displayName, partitioned, fullIdentity, identityOnlyUnique,
                columns.stream().map(c -> new Column(c.name(), c.key(), false, c.equality(), c.type(), c.listable()))
                        .toList());
    }
}
