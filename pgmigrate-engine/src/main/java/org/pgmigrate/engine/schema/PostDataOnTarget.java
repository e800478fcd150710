package org.pgmigrate.engine.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.pgmigrate.engine.pg.Identifiers;

/**
 * Which post-data entries of an archive the target database already has: what a post-data restore that was
 * interrupted (kill -9 of clone or of the service, a lost connection) had finished. A resumed restore leaves them
 * out, since replaying {@code CREATE INDEX}, {@code ADD CONSTRAINT} or {@code CREATE TRIGGER} into them fails with
 * "already exists".
 *
 * <p>Why this is exact: pg_restore sends each entry's definition as one simple-query message, which the server runs
 * as one implicit transaction, so an entry is either wholly there or not at all. Each entry that creates a named
 * object is resolved on the source, by the catalog and OID the archive records (in the migration's snapshot, which
 * the archive was dumped in), to what it creates (kind, schema, table, name); the target is then asked whether that
 * exists. The other post-data entries (comments, ACLs, {@code ENABLE ROW LEVEL SECURITY}, {@code INDEX ATTACH},
 * materialized view refreshes, default ACLs) are idempotent and simply run again. A view's separate {@code _RETURN}
 * rule (a view in a dependency cycle) is {@code CREATE OR REPLACE VIEW} over a dummy view ({@code SELECT NULL::type
 * AS column}) that already has such a rule, so it always runs again: every pg_dump pgmigrate runs writes it that way
 * (since 10, back-patched to 9.4), and skipping it would leave the target's view returning NULLs.
 *
 * <p>Stateless; each call uses the connections it is given.
 */
final class PostDataOnTarget {

    /** What a post-data entry creates, and the catalog the archive names it in. */
    enum Kind {
        PUBLICATION_SCHEMA("PUBLICATION TABLES IN SCHEMA", "pg_publication_namespace"),
        PUBLICATION_TABLE("PUBLICATION TABLE", "pg_publication_rel"),
        PUBLICATION("PUBLICATION", "pg_publication"),
        FK_CONSTRAINT("FK CONSTRAINT", "pg_constraint"),
        CHECK_CONSTRAINT("CHECK CONSTRAINT", "pg_constraint"),
        CONSTRAINT("CONSTRAINT", "pg_constraint"),
        EVENT_TRIGGER("EVENT TRIGGER", "pg_event_trigger"),
        TRIGGER("TRIGGER", "pg_trigger"),
        RULE("RULE", "pg_rewrite"),
        POLICY("POLICY", "pg_policy"),
        STATISTICS("STATISTICS", "pg_statistic_ext"),
        INDEX("INDEX", "pg_class");

        final String description;
        final String catalog;

        Kind(String description, String catalog) {
            this.description = description;
            this.catalog = catalog;
        }

        /** The kind of a TOC entry, or null when its statement can simply run again. */
        static Kind of(TocEntry e) {
            if (e.objectOid() == 0 || e.is("INDEX ATTACH")) {
                return null;
            }
            for (Kind k : values()) {
                if (e.is(k.description)) {
                    return k;
                }
            }
            return null;
        }
    }

    /**
     * An object a post-data entry creates, as the source names it.
     *
     * @param kind     "index", "table constraint", "domain constraint", "trigger", "rule", "policy", "statistics",
     *                 "event trigger", "publication", "publication table", "publication schema"
     * @param relation the table (or domain) it belongs to; for a publication's table or schema, the publication
     * @param owner    for objects pg_restore gives an owner in a statement of its own, else null
     */
    record Created(int dumpId, String kind, String schema, String relation, String name, String owner) {
    }

    private PostDataOnTarget() {
    }

    /**
     * The entries among {@code entries} that the target already has, by dump id. {@code source} must read the
     * snapshot the archive was dumped in.
     *
     * @param keepOwnership owners were restored: an object found on the target gets its source owner back if it
     *                      lacks it (pg_restore sets it in a statement of its own, after the CREATE)
     */
    static Set<Integer> find(List<TocEntry> entries, Connection source, Connection target, boolean keepOwnership)
            throws SQLException {
        Map<Kind, List<TocEntry>> byKind = new EnumMap<>(Kind.class);
        for (TocEntry e : entries) {
            Kind k = Kind.of(e);
            if (k != null) {
                byKind.computeIfAbsent(k, x -> new ArrayList<>()).add(e);
            }
        }
        if (byKind.isEmpty()) {
            return Set.of();
        }
        List<Created> created = resolve(byKind, source);
        created.removeIf(c -> c.kind().equals("rule") && c.name().equals("_RETURN"));
        return present(created, target, keepOwnership);
    }

    /** Resolves entries to what they create, reading the source's catalogs (in the archive's snapshot). */
    private static List<Created> resolve(Map<Kind, List<TocEntry>> byKind, Connection source) throws SQLException {
        StringBuilder sql = new StringBuilder();
        List<Kind> order = new ArrayList<>();
        for (Kind k : byKind.keySet()) {
            sql.append(sql.isEmpty() ? "" : " UNION ALL ").append(sourceBranch(k));
            order.add(k);
        }
        List<Created> out = new ArrayList<>();
        try (PreparedStatement ps = source.prepareStatement(sql.toString())) {
            int p = 1;
            for (Kind k : order) {
                List<TocEntry> list = byKind.get(k);
                ps.setArray(p++, source.createArrayOf("int8", list.stream().map(TocEntry::objectOid).toArray(Long[]::new)));
                ps.setArray(p++, source.createArrayOf("int4", list.stream().map(TocEntry::dumpId).toArray(Integer[]::new)));
                ps.setArray(p++, source.createArrayOf("int8", list.stream().map(TocEntry::catalogOid).toArray(Long[]::new)));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Created(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
        }
        return out;
    }

    /**
     * One SELECT per kind, joining the entries (object OID, dump id, catalog OID) to the catalog they name; an entry
     * whose catalog OID is not that catalog's resolves to nothing (and so runs again).
     */
    private static String sourceBranch(Kind k) {
        String entries = "ROWS FROM (pg_catalog.unnest(?::pg_catalog.int8[]), pg_catalog.unnest(?::pg_catalog.int4[]),"
                + " pg_catalog.unnest(?::pg_catalog.int8[])) AS u(obj, id, cat)";
        String catalog = " AND u.cat = 'pg_catalog." + k.catalog + "'::pg_catalog.regclass::pg_catalog.oid::pg_catalog.int8";
        String ns = " JOIN pg_catalog.pg_namespace n ON n.oid = ";
        return switch (k) {
            case INDEX -> "SELECT u.id, 'index', n.nspname::text, NULL::text, c.relname::text, NULL::text FROM " + entries
                    + " JOIN pg_catalog.pg_class c ON c.oid = u.obj::pg_catalog.oid" + catalog + ns + "c.relnamespace";
            case CONSTRAINT, FK_CONSTRAINT, CHECK_CONSTRAINT -> "SELECT u.id, CASE WHEN o.conrelid <> 0 THEN"
                    + " 'table constraint' ELSE 'domain constraint' END, n.nspname::text,"
                    + " COALESCE(r.relname, t.typname)::text, o.conname::text, NULL::text FROM " + entries
                    + " JOIN pg_catalog.pg_constraint o ON o.oid = u.obj::pg_catalog.oid" + catalog
                    + " LEFT JOIN pg_catalog.pg_class r ON r.oid = o.conrelid"
                    + " LEFT JOIN pg_catalog.pg_type t ON t.oid = o.contypid" + ns + "o.connamespace";
            case TRIGGER -> onTable(entries, catalog, "trigger", "pg_trigger", "tgrelid", "tgname");
            case RULE -> onTable(entries, catalog, "rule", "pg_rewrite", "ev_class", "rulename");
            case POLICY -> onTable(entries, catalog, "policy", "pg_policy", "polrelid", "polname");
            case STATISTICS -> "SELECT u.id, 'statistics', n.nspname::text, NULL::text, s.stxname::text,"
                    + " pg_catalog.pg_get_userbyid(s.stxowner)::text FROM " + entries
                    + " JOIN pg_catalog.pg_statistic_ext s ON s.oid = u.obj::pg_catalog.oid" + catalog + ns
                    + "s.stxnamespace";
            case EVENT_TRIGGER -> "SELECT u.id, 'event trigger', NULL::text, NULL::text, e.evtname::text,"
                    + " pg_catalog.pg_get_userbyid(e.evtowner)::text FROM " + entries
                    + " JOIN pg_catalog.pg_event_trigger e ON e.oid = u.obj::pg_catalog.oid" + catalog;
            case PUBLICATION -> "SELECT u.id, 'publication', NULL::text, NULL::text, p.pubname::text,"
                    + " pg_catalog.pg_get_userbyid(p.pubowner)::text FROM " + entries
                    + " JOIN pg_catalog.pg_publication p ON p.oid = u.obj::pg_catalog.oid" + catalog;
            case PUBLICATION_TABLE -> "SELECT u.id, 'publication table', n.nspname::text, p.pubname::text,"
                    + " r.relname::text, NULL::text FROM " + entries
                    + " JOIN pg_catalog.pg_publication_rel pr ON pr.oid = u.obj::pg_catalog.oid" + catalog
                    + " JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid"
                    + " JOIN pg_catalog.pg_class r ON r.oid = pr.prrelid" + ns + "r.relnamespace";
            case PUBLICATION_SCHEMA -> "SELECT u.id, 'publication schema', n.nspname::text, p.pubname::text,"
                    + " n.nspname::text, NULL::text FROM " + entries
                    + " JOIN pg_catalog.pg_publication_namespace pn ON pn.oid = u.obj::pg_catalog.oid" + catalog
                    + " JOIN pg_catalog.pg_publication p ON p.oid = pn.pnpubid" + ns + "pn.pnnspid";
        };
    }

    private static String onTable(String entries, String catalog, String kind, String table, String relColumn,
                                  String nameColumn) {
        return "SELECT u.id, '" + kind + "', n.nspname::text, r.relname::text, x." + nameColumn + "::text, NULL::text"
                + " FROM " + entries + " JOIN pg_catalog." + table + " x ON x.oid = u.obj::pg_catalog.oid" + catalog
                + " JOIN pg_catalog.pg_class r ON r.oid = x." + relColumn
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace";
    }

    /** The dump ids of the objects the target has; repairs their owners where pg_restore had not set them yet. */
    private static Set<Integer> present(List<Created> created, Connection target, boolean keepOwnership)
            throws SQLException {
        if (created.isEmpty()) {
            return Set.of();
        }
        boolean schemaPublications = created.stream().anyMatch(c -> c.kind().equals("publication schema"));
        String sql = "SELECT e.i::int, " + targetOwner() + " FROM ROWS FROM (pg_catalog.unnest(?::pg_catalog.text[]),"
                + " pg_catalog.unnest(?::pg_catalog.text[]), pg_catalog.unnest(?::pg_catalog.text[]), pg_catalog.unnest(?::pg_catalog.text[]))"
                + " WITH ORDINALITY AS e(kind, nsp, rel, name, i) WHERE CASE e.kind"
                + " WHEN 'index' THEN EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                + "   ON n.oid = c.relnamespace WHERE n.nspname = e.nsp AND c.relname = e.name AND c.relkind IN ('i', 'I'))"
                + " WHEN 'table constraint' THEN EXISTS (SELECT FROM pg_catalog.pg_constraint o"
                + "   JOIN pg_catalog.pg_class r ON r.oid = o.conrelid JOIN pg_catalog.pg_namespace n"
                + "   ON n.oid = r.relnamespace WHERE n.nspname = e.nsp AND r.relname = e.rel AND o.conname = e.name)"
                + " WHEN 'domain constraint' THEN EXISTS (SELECT FROM pg_catalog.pg_constraint o"
                + "   JOIN pg_catalog.pg_type t ON t.oid = o.contypid JOIN pg_catalog.pg_namespace n"
                + "   ON n.oid = t.typnamespace WHERE n.nspname = e.nsp AND t.typname = e.rel AND o.conname = e.name)"
                + " WHEN 'trigger' THEN " + existsOnTable("pg_trigger", "tgrelid", "tgname")
                + " WHEN 'rule' THEN " + existsOnTable("pg_rewrite", "ev_class", "rulename")
                + " WHEN 'policy' THEN " + existsOnTable("pg_policy", "polrelid", "polname")
                + " WHEN 'statistics' THEN EXISTS (SELECT FROM pg_catalog.pg_statistic_ext s"
                + "   JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace"
                + "   WHERE n.nspname = e.nsp AND s.stxname = e.name)"
                + " WHEN 'event trigger' THEN EXISTS (SELECT FROM pg_catalog.pg_event_trigger WHERE evtname = e.name)"
                + " WHEN 'publication' THEN EXISTS (SELECT FROM pg_catalog.pg_publication WHERE pubname = e.name)"
                + " WHEN 'publication table' THEN EXISTS (SELECT FROM pg_catalog.pg_publication_rel pr"
                + "   JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid JOIN pg_catalog.pg_class r ON r.oid = pr.prrelid"
                + "   JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + "   WHERE p.pubname = e.rel AND n.nspname = e.nsp AND r.relname = e.name)"
                // pg_publication_namespace exists from PostgreSQL 15 on; only a 15+ source dumps such entries.
                + (schemaPublications ? " WHEN 'publication schema' THEN EXISTS (SELECT FROM"
                + "   pg_catalog.pg_publication_namespace pn JOIN pg_catalog.pg_publication p ON p.oid = pn.pnpubid"
                + "   JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid WHERE p.pubname = e.rel AND n.nspname = e.nsp)"
                : "")
                + " ELSE false END";
        Set<Integer> found = new HashSet<>();
        List<String> ownerFixes = new ArrayList<>();
        try (PreparedStatement ps = target.prepareStatement(sql)) {
            ps.setArray(1, target.createArrayOf("text", created.stream().map(Created::kind).toArray()));
            ps.setArray(2, target.createArrayOf("text", created.stream().map(Created::schema).toArray()));
            ps.setArray(3, target.createArrayOf("text", created.stream().map(Created::relation).toArray()));
            ps.setArray(4, target.createArrayOf("text", created.stream().map(Created::name).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Created c = created.get(rs.getInt(1) - 1);
                    found.add(c.dumpId());
                    if (keepOwnership && c.owner() != null && !Objects.equals(c.owner(), rs.getString(2))) {
                        ownerFixes.add(alterOwner(c));
                    }
                }
            }
        }
        try (Statement s = target.createStatement()) {
            for (String fix : ownerFixes) {
                s.execute(fix);
            }
        }
        return found;
    }

    private static String existsOnTable(String table, String relColumn, String nameColumn) {
        return "EXISTS (SELECT FROM pg_catalog." + table + " x JOIN pg_catalog.pg_class r ON r.oid = x." + relColumn
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE n.nspname = e.nsp AND r.relname = e.rel AND x." + nameColumn + " = e.name)";
    }

    /** The current owner of an owned object (statistics, event trigger, publication), null for the others. */
    private static String targetOwner() {
        return "CASE e.kind"
                + " WHEN 'statistics' THEN (SELECT pg_catalog.pg_get_userbyid(s.stxowner)::text"
                + "   FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace"
                + "   WHERE n.nspname = e.nsp AND s.stxname = e.name)"
                + " WHEN 'event trigger' THEN (SELECT pg_catalog.pg_get_userbyid(evtowner)::text"
                + "   FROM pg_catalog.pg_event_trigger WHERE evtname = e.name)"
                + " WHEN 'publication' THEN (SELECT pg_catalog.pg_get_userbyid(pubowner)::text"
                + "   FROM pg_catalog.pg_publication WHERE pubname = e.name)"
                + " END";
    }

    private static String alterOwner(Created c) {
        String object = switch (c.kind()) {
            case "statistics" -> "STATISTICS " + Identifiers.qualified(c.schema(), c.name());
            case "event trigger" -> "EVENT TRIGGER " + Identifiers.quote(c.name());
            case "publication" -> "PUBLICATION " + Identifiers.quote(c.name());
            default -> throw new IllegalStateException("no owner statement for " + c.kind());
        };
        return "ALTER " + object + " OWNER TO " + Identifiers.quote(c.owner());
    }
}
