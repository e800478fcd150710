package org.pgmigrate.engine;

/**
 * Kinds of objects a migration leaves out on request, as Azure's {@code azure.migration_skip_large_objects} and
 * {@code azure.migration_skip_extensions} (and pgcopydb's {@code --skip-large-objects}/{@code --skip-extensions})
 * do. Each is held as the name of the setting that asked for it (null: not skipped), so that what a skip causes (a
 * verification warning, a restore that fails for want of an extension) names the setting the user can change, in
 * the caller's own terms: a server parameter for the service, a flag for {@code clone}. Immutable.
 *
 * @param largeObjectsBy the setting that skips large objects: no large object is created or copied on the target,
 *                       and verification neither counts nor compares them
 * @param extensionsBy   the setting that skips extensions: no CREATE EXTENSION (nor its COMMENT ON EXTENSION) is
 *                       restored, and verification does not require the source's extensions on the target
 */
public record ObjectSkips(String largeObjectsBy, String extensionsBy) {

    public static final ObjectSkips NONE = new ObjectSkips(null, null);

    public boolean largeObjects() {
        return largeObjectsBy != null;
    }

    public boolean extensions() {
        return extensionsBy != null;
    }

    /** Large objects skipped as {@code setting} asks (null: not skipped). */
    public ObjectSkips withLargeObjects(String setting) {
        return new ObjectSkips(setting, extensionsBy);
    }

    /** Extensions skipped as {@code setting} asks (null: not skipped). */
    public ObjectSkips withExtensions(String setting) {
        return new ObjectSkips(largeObjectsBy, setting);
    }
}
