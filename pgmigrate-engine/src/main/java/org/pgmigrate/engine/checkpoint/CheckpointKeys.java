package org.pgmigrate.engine.checkpoint;

import org.pgmigrate.engine.pg.Identifiers;

/**
 * Keys for work on one named object of a database (a table's plan and parts, an index). Every name goes in as a
 * quoted identifier, so that the key reads back to exactly one database, schema and name: {@code "a.b".c} and
 * {@code a."b.c"}, or a database called {@code x/s} and a schema called {@code s}, never share a key. The form is
 * {@code kind/"database"/"schema"."name"}.
 *
 * <p>Stateless.
 */
public final class CheckpointKeys {

    private CheckpointKeys() {
    }

    /** The key of {@code kind} work on {@code schema.name} in {@code database}, e.g. {@code plan/"shop"/"public"."t"}. */
    public static String of(String kind, String database, String schema, String name) {
        return kind + "/" + Identifiers.quote(database) + "/" + Identifiers.qualified(schema, name);
    }
}
