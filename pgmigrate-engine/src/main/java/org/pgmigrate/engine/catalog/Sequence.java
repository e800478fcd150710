package org.pgmigrate.engine.catalog;

import org.pgmigrate.engine.pg.Identifiers;

/** A sequence: standalone, serial-owned or identity. */
public record Sequence(String schema, String name) {

    public String qualifiedName() {
        return Identifiers.qualified(schema, name);
    }
}
