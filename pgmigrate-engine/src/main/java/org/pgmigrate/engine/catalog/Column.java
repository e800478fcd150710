package org.pgmigrate.engine.catalog;

/**
 * A column that COPY carries: not dropped, not generated. {@code builtinType} means the type (and, for an array, its
 * element type) is part of the PostgreSQL core catalog, whose binary format is the same on both sides of a
 * same-major copy; user types (enums, domains, composites, extension types) get OIDs that differ between clusters.
 */
public record Column(String name, String type, long typeOid, boolean builtinType, boolean floatingPoint) {

    /** OIDs below this belong to the bootstrap catalog (FirstNormalObjectId). */
    static final long FIRST_NORMAL_OID = 16384;
}
