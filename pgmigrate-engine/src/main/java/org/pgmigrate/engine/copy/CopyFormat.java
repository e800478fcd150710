package org.pgmigrate.engine.copy;

import org.pgmigrate.engine.catalog.Table;
import org.pgmigrate.engine.pg.ServerVersion;

/** How rows travel from COPY TO STDOUT to COPY FROM STDIN. */
public enum CopyFormat {
    TEXT,
    /** Binary for every table whose types allow it, even between majors; text for the others. */
    BINARY,
    /** Binary where it is safe, text elsewhere. */
    AUTO;

    /**
     * The format for one table. Binary skips parsing and printing of every value, but not every type has binary I/O
     * ({@code aclitem}), the reg* types' binary form is a source OID, and the layout of arrays and composites embeds
     * type OIDs and may change between majors. So binary goes only to tables whose every column is
     * {@linkplain Table#binaryPortable binary-portable}, and AUTO also requires servers of the same major; BINARY,
     * asked for explicitly, skips only that last rule. Every other table goes as text, in the same run.
     */
    public CopyFormat resolve(Table table, ServerVersion source, ServerVersion target) {
        return switch (this) {
            case TEXT -> TEXT;
            case BINARY -> table.binaryPortable() ? BINARY : TEXT;
            case AUTO -> source.major() == target.major() && table.binaryPortable() ? BINARY : TEXT;
        };
    }

    String copyOption() {
        return this == BINARY ? "FORMAT binary" : "FORMAT text";
    }
}
