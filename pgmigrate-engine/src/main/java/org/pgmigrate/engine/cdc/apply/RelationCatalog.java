package org.pgmigrate.engine.cdc.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Relation;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.RelationColumn;
import org.pgmigrate.engine.cdc.pgoutput.PgOutputMessage.Type;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * The source's Relation and Type messages, and their mapping onto target tables. A relation is checked against the
 * target catalog at its first use after each Relation message (not when the message arrives: a segment header may
 * repeat relations that are no longer used). Any difference (a table or column the target lacks, an extra target
 * column, another type or type modifier) means DDL ran on the source: replication stops with
 * {@link EngineError#SCHEMA_CHANGED_DURING_REPLICATION}, never guessing.
 *
 * <p>Applier thread only.
 */
final class RelationCatalog {

    /** Types below this OID are built in and have the same OID on every server (FirstGenbkiObjectId). */
    private static final int FIRST_NON_BUILTIN_OID = 10_000;

    private final Map<Integer, Relation> relations = new HashMap<>();
    private final Map<Integer, Type> types = new HashMap<>();
    private final Map<Integer, TargetTable> resolved = new HashMap<>();

    void update(Relation relation) {
        relations.put(relation.relationId(), relation);
        resolved.remove(relation.relationId());
    }

    void update(Type type) {
        types.put(type.typeOid(), type);
    }

    /** Forgets target mappings (a new target session may see a different catalog), keeping the source's messages. */
    void forgetTargets() {
        resolved.clear();
    }

    void replace(TargetTable table) {
        resolved.put(table.relationId(), table);
    }

    boolean isResolved(int relationId) {
        return resolved.containsKey(relationId);
    }

    TargetTable table(int relationId, Connection target, int targetMajor) throws SQLException {
        TargetTable table = resolved.get(relationId);
        if (table == null) {
            Relation relation = relations.get(relationId);
            if (relation == null) {
                throw new EngineException(EngineError.REPLICATION_FAILED, "The change stream refers to relation OID "
                        + relationId + " before describing it (no Relation message). This should not happen; restart"
                        + " the migration and report it.");
            }
            table = resolve(relation, target, targetMajor);
            resolved.put(relationId, table);
        }
        return table;
    }

    private TargetTable resolve(Relation relation, Connection target, int targetMajor) throws SQLException {
        String schema = relation.namespace().isEmpty() ? "pg_catalog" : relation.namespace();
        String display = schema + "." + relation.name();
        Map<String, TargetColumnInfo> targetColumns = new LinkedHashMap<>();
        Boolean partitioned = null;
        boolean identityOnlyUnique = false;
        try (PreparedStatement ps = target.prepareStatement(catalogQuery(targetMajor))) {
            ps.setString(1, schema);
            ps.setString(2, relation.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    partitioned = "p".equals(rs.getString("relkind"));
                    identityOnlyUnique = rs.getInt("other_unique") == 0;
                    if (rs.getString("attname") != null) {
                        targetColumns.put(rs.getString("attname"), new TargetColumnInfo(rs.getInt("atttypid"),
                                rs.getInt("atttypmod"), isGenerated(rs.getString("attgenerated")),
                                "a".equals(rs.getString("attidentity")), rs.getString("typnsp"),
                                rs.getString("typname"), rs.getString("basensp"), rs.getString("basename"),
                                rs.getString("format_type"), rs.getBoolean("equality"),
                                rs.getBoolean("listable")));
                    }
                }
            }
        }
        if (partitioned == null) {
            throw schemaChanged("Table " + display + " appears in the change stream but does not exist on the target"
                    + " (a table created on the source during replication?).");
        }
        List<String> problems = new ArrayList<>();
        List<TargetTable.Column> columns = new ArrayList<>();
        for (RelationColumn source : relation.columns()) {
            TargetColumnInfo t = targetColumns.remove(source.name());
            if (t == null || t.generated()) {
                problems.add("column \"" + source.name() + "\" exists on the source but "
                        + (t == null ? "not on the target" : "is generated on the target"));
                continue;
            }
            String typeProblem = typeDifference(source, t);
            if (typeProblem != null) {
                problems.add("column \"" + source.name() + "\" " + typeProblem);
            }
            columns.add(new TargetTable.Column(source.name(), source.key(), t.identityAlways(), t.equality(),
                    t.formatType(), t.listable()));
        }
        targetColumns.forEach((name, t) -> {
            if (!t.generated()) {
                problems.add("column \"" + name + "\" exists on the target but no longer on the source");
            }
        });
        if (!problems.isEmpty()) {
            throw schemaChanged("Table " + display + " changed on the source during replication: "
                    + String.join("; ", problems) + ".");
        }
        return new TargetTable(relation.relationId(), Identifiers.qualified(schema, relation.name()), display,
                partitioned, relation.replicaIdentity() == 'f', identityOnlyUnique, List.copyOf(columns));
    }

    private String typeDifference(RelationColumn source, TargetColumnInfo target) {
        boolean sameType;
        String sourceType;
        if (source.typeOid() < FIRST_NON_BUILTIN_OID) {
            sameType = source.typeOid() == target.typeOid();
            sourceType = "type OID " + source.typeOid();
        } else {
            Type type = types.get(source.typeOid());
            if (type == null) {
                return null; // no Type message: nothing to compare by name
            }
            // pgoutput describes a domain column by its base type, and a pg_catalog type with an empty namespace
            String namespace = type.namespace().isEmpty() ? "pg_catalog" : type.namespace();
            sameType = namespace.equals(target.typeNamespace()) && type.name().equals(target.typeName())
                    || namespace.equals(target.baseNamespace()) && type.name().equals(target.baseName());
            sourceType = type.namespace() + "." + type.name();
        }
        if (!sameType) {
            return "has " + sourceType + " on the source but " + target.formatType() + " on the target";
        }
        if (source.typeModifier() != target.typeModifier()) {
            return "has another length, precision or scale on the source (typmod " + source.typeModifier()
                    + ") than on the target (" + target.formatType() + ")";
        }
        return null;
    }

    private static EngineException schemaChanged(String what) {
        return new EngineException(EngineError.SCHEMA_CHANGED_DURING_REPLICATION, what + " pgmigrate does not"
                + " replicate DDL, so applying further changes would make the target diverge; replication stopped"
                + " before that transaction. Apply the same DDL to the target database and resume the migration, or"
                + " start it again.");
    }

    private record TargetColumnInfo(int typeOid, int typeModifier, boolean generated, boolean identityAlways,
                                    String typeNamespace, String typeName, String baseNamespace, String baseName,
                                    String formatType, boolean equality,
                                    boolean listable) {
    }

    private static String catalogQuery(int targetMajor) {
        String generated = targetMajor >= 12 ? "a.attgenerated::text" : "''::text";
        // A type compares with "=" when it (or, for a domain, its base type; for an array, its element type) has a
        // default btree operator class; strings share text's, enums anyenum's.
        return """
                SELECT c.relkind::text AS relkind, a.attname, a.atttypid, a.atttypmod,
                       %s AS attgenerated, a.attidentity::text AS attidentity,
                       tn.nspname AS typnsp, t.typname, btn.nspname AS basensp, bt.typname AS basename,
                       format_type(a.atttypid, a.atttypmod) AS format_type,
                       (bt.typcategory <> 'A' AND bt.typtype <> 'c' AND bt.typdelim = ',' AND t.typarray <> 0) AS listable,
                       (SELECT bool_or(b.typcategory = 'S' OR b.typtype = 'e' OR EXISTS (
                                 SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                                 WHERE am.amname = 'btree' AND oc.opcdefault AND oc.opcintype = b.oid))
                          FROM pg_type b
                         WHERE b.oid = CASE WHEN bt.typcategory = 'A' AND bt.typelem <> 0 THEN bt.typelem
                                            ELSE bt.oid END) AS equality,
                       (SELECT count(*) FROM pg_index i
                         WHERE i.indrelid = c.oid AND (i.indisunique OR i.indisexclusion)
                           AND NOT i.indisreplident
                           AND NOT (i.indisprimary AND NOT EXISTS (
                                    SELECT 1 FROM pg_index r WHERE r.indrelid = c.oid AND r.indisreplident)))
                         AS other_unique
                  FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  LEFT JOIN pg_type t ON t.oid = a.atttypid
                  LEFT JOIN pg_namespace tn ON tn.oid = t.typnamespace
                  LEFT JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
                  LEFT JOIN pg_namespace btn ON btn.oid = bt.typnamespace
                 WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')
                 ORDER BY a.attnum
                """.formatted(generated);
    }

    /** Stored ('s') and, from 18 on, virtual ('v') generated columns: the target computes both, neither takes a value. */
    private static boolean isGenerated(String attgenerated) {
        return attgenerated != null && !attgenerated.isEmpty();
    }
}
