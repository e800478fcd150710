package org.pgmigrate.engine.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * Which column types may travel in binary COPY between two clusters of the same major: those whose whole type tree
 * (the type, array elements, domain bases, range subtypes, multiranges' ranges, composite fields, recursively) is
 * made of core types that have binary send and receive functions and are not OID aliases.
 *
 * <ul>
 *   <li>Core types only: array and record binary forms embed their element and field type OIDs, and the receiving
 *       server rejects OIDs that are not its own; user types get new OIDs on the target.</li>
 *   <li>Send and receive: some core types have none ({@code aclitem}, {@code gtsvector}); binary COPY of a column
 *       that holds one anywhere in its tree fails with "no binary input function available".</li>
 *   <li>Not reg* types: their binary form is the OID of an object in the source cluster, their text form its name.
 *       Binary COPY would store the source's OIDs, pointing at nothing (or at something else) on the target.</li>
 * </ul>
 *
 * <p>One recursive query for every column type of every table, so the cost does not grow with the table count.
 */
final class BinaryPortability {

    /** OIDs below this belong to the core catalog, identical in every cluster of a major (FirstNormalObjectId). */
    static final long FIRST_NORMAL_OID = 16384;

    /**
     * regproc, regprocedure, regoper, regoperator, regclass, regtype, regconfig, regdictionary, regnamespace, regrole,
     * regcollation: binary I/O is their OID ({@code oidsend}). Their arrays are caught through the element.
     */
    static final String OID_ALIASES = "24, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096, 4191";

    private BinaryPortability() {
    }

    /** The portable types among the types of the columns {@link CatalogReader} reads. */
    static Set<Long> portableColumnTypes(Connection c, ServerVersion v) throws SQLException {
        String multirange = v.atLeast(14)
                ? " UNION ALL SELECT rg.rngtypid FROM pg_catalog.pg_range rg WHERE rg.rngmultitypid = t.oid" : "";
        String sql = "WITH RECURSIVE tree(root, type) AS ("
                + "   SELECT DISTINCT a.atttypid, a.atttypid"
                + "     FROM pg_catalog.pg_attribute a"
                + "     JOIN pg_catalog.pg_class r ON r.oid = a.attrelid"
                + "     JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + "    WHERE r.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND " + CatalogReader.SYSTEM_SCHEMAS
                + " UNION"
                + "   SELECT tree.root, u.type"
                + "     FROM tree"
                + "     JOIN pg_catalog.pg_type t ON t.oid = tree.type"
                // typelem: array elements, and the parts of point, name, int2vector...: harmless to check too
                + "     CROSS JOIN LATERAL (SELECT t.typelem WHERE t.typelem <> 0"
                + "       UNION ALL SELECT t.typbasetype WHERE t.typtype = 'd'"
                + "       UNION ALL SELECT rg.rngsubtype FROM pg_catalog.pg_range rg WHERE rg.rngtypid = t.oid"
                + multirange
                + "       UNION ALL SELECT f.atttypid FROM pg_catalog.pg_attribute f"
                + "                  WHERE t.typrelid <> 0 AND f.attrelid = t.typrelid AND f.attnum > 0 AND NOT f.attisdropped"
                + "     ) AS u(type)"
                + " )"
                + " SELECT tree.root FROM tree JOIN pg_catalog.pg_type t ON t.oid = tree.type"
                + " GROUP BY tree.root"
                + " HAVING pg_catalog.bool_and(t.oid < " + FIRST_NORMAL_OID + " AND t.typsend::oid <> 0"
                + "     AND t.typreceive::oid <> 0 AND t.oid NOT IN (" + OID_ALIASES + "))";
        Set<Long> portable = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                portable.add(rs.getLong(1));
            }
        }
        return portable;
    }
}
