package org.pgmigrate.service.migration;

/**
 * What the workers want to hear from the API side, so they need not wait for their next poll. Implementations must
 * be fast and thread-safe; both methods have no-op defaults.
 */
public interface MigrationEvents {

    MigrationEvents NONE = new MigrationEvents() {
    };

    /** A migration was created or changed in a way that may give a worker something to do. */
    default void changed(Migration migration) {
    }

    /** A cancel was requested (for the whole migration or some databases): stop the work now. */
    default void cancelRequested(Migration migration) {
    }
}
