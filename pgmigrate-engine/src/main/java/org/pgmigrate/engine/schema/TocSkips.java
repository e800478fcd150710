package org.pgmigrate.engine.schema;

import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The entries of a schema archive that a migration leaves out of its restore lists on request
 * ({@code ObjectSkips}), recognized by how {@code pg_restore --list} describes them:
 * <ul>
 *   <li>extensions: {@code EXTENSION - citext} and {@code COMMENT - EXTENSION citext} (pg_dump writes the comment of
 *       every extension, and it would fail without the extension);</li>
 *   <li>large objects: their metadata ({@code BLOB - 16571 owner} up to pg_dump 16, {@code BLOB METADATA} from 17,
 *       which make them empty on the target), their data ({@code BLOBS}, not in a schema-only archive anyway), and
 *       their comments, privileges and security labels ({@code COMMENT - LARGE OBJECT 16571 owner}).</li>
 * </ul>
 * The members of an extension are not entries of their own (pg_dump leaves them to CREATE EXTENSION), so nothing
 * else goes with it. Immutable.
 */
record TocSkips(boolean largeObjects, boolean extensions) implements Predicate<TocEntry> {

    static final TocSkips NONE = new TocSkips(false, false);

    private static final String EXTENSION = "EXTENSION - ";
    private static final Pattern LARGE_OBJECT = Pattern.compile(
            "^(BLOB|BLOB METADATA|BLOBS|LARGE OBJECT|LARGE OBJECTS) |^(COMMENT|ACL|SECURITY LABEL) - LARGE OBJECT ");

    /** True when the entry is left out. */
    @Override
    public boolean test(TocEntry e) {
        return (extensions && isExtension(e)) || (largeObjects && LARGE_OBJECT.matcher(e.rest()).find());
    }

    private static boolean isExtension(TocEntry e) {
        return e.rest().startsWith(EXTENSION) || e.rest().startsWith("COMMENT - EXTENSION ");
    }

    /** The name of the extension an {@code EXTENSION} entry creates (extensions have no owner in the listing). */
    static Optional<String> extensionName(TocEntry e) {
        return e.rest().startsWith(EXTENSION) ? Optional.of(e.rest().substring(EXTENSION.length()).strip())
                : Optional.empty();
    }
}
