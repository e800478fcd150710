package org.pgmigrate.engine.copy;

import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.pg.ServerVersion;

/** How rows travel from COPY TO STDOUT to COPY FROM STDIN. */
public enum CopyFormat {
    TEXT,
    BINARY,
    /** Binary where it is safe, text elsewhere. */
    AUTO;

    /**
     * The format for one table. Binary skips parsing and printing of every value, but its layout of arrays and
     * composites embeds type OIDs and may change between majors, not every type has binary I/O, and the reg* types'
     * binary form is a source OID; so AUTO uses it only between servers of the same major and for tables whose every
     * column is {@linkplain Table#binaryPortable binary-portable}. Every other table goes as text, in the same run.
     */
    public CopyFormat resolve(Table table, ServerVersion source, ServerVersion target) {
        return switch (this) {
            case TEXT, BINARY -> this;
            case AUTO -> source.major() == target.major() && table.binaryPortable() ? BINARY : TEXT;
        };
    }

    String copyOption() {
        return this == BINARY ? "FORMAT binary" : "FORMAT text";
    }
}
