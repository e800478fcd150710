package org.pgmigrate.engine.checkpoint;

import java.util.Optional;

/**
 * Durable memory of finished work (table parts, indexes, phases), so that a resumed run redoes only what was
 * unfinished. Keys are opaque strings chosen by the engine, such as {@code part/"shop"/"public"."orders"/3of4}
 * ({@link CheckpointKeys}).
 *
 * <p>{@link #put} must be durable when it returns. Implementations must be thread-safe: copy and index workers record
 * concurrently. The service implements this over its store; {@code clone} uses {@link DirectoryCheckpointStore}.
 */
public interface CheckpointStore {

    /** A store that remembers nothing: every run starts from scratch. */
    CheckpointStore NONE = new CheckpointStore() {
        @Override
        public Optional<String> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, String value) {
        }
    };

    Optional<String> get(String key);

    void put(String key, String value);

    default boolean isDone(String key) {
        return get(key).filter("done"::equals).isPresent();
    }

    default void markDone(String key) {
        put(key, "done");
    }
}
