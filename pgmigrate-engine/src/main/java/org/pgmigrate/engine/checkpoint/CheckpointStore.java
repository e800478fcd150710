package org.pgmigrate.engine.checkpoint;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Durable memory of finished work (table parts, indexes, phases), so that a resumed run redoes only what was
 * unfinished. Keys are opaque strings chosen by the engine, such as {@code part/"shop"/"public"."orders"/3of4}
 * ({@link CheckpointKeys}).
 *
 * <p>{@link #put} must be durable when it returns. {@link #putRedoable} records work whose redo is harmless (a
 * whole table reloaded, an index that is found built): a store may make it durable only with a later {@link #put}
 * or when it closes, so a crash can lose it, and a resumed run then does that work again. Implementations must be
 * thread-safe: copy and index workers record concurrently. The service implements this over its store;
 * {@code clone} uses {@link DirectoryCheckpointStore}.
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

    /**
     * A store that remembers for as long as the object lives, for a run that no later process resumes but that asks
     * its own records again (an online migration's cancel after a failed base copy, for one).
     */
    static CheckpointStore inMemory() {
        Map<String, String> entries = new ConcurrentHashMap<>();
        return new CheckpointStore() {
            @Override
            public Optional<String> get(String key) {
                return Optional.ofNullable(entries.get(key));
            }

            @Override
            public void put(String key, String value) {
                entries.put(key, value);
            }
        };
    }

    Optional<String> get(String key);

    void put(String key, String value);

    /**
     * Records {@code value} for work that a resumed run can safely do again should the record be lost: durable no
     * later than the next {@link #put}. Stores that write every record durably need not override it.
     */
    default void putRedoable(String key, String value) {
        put(key, value);
    }

    /**
     * Makes every record so far durable, {@link #putRedoable} ones included: for records that must be on disk before
     * some later work starts, written many at a time with one sync. Stores whose every record is durable need not
     * override it.
     */
    default void sync() {
    }

    /** {@link #putRedoable} of "done". */
    default void markRedoableDone(String key) {
        putRedoable(key, "done");
    }

    default boolean isDone(String key) {
        return get(key).filter("done"::equals).isPresent();
    }

    default void markDone(String key) {
        put(key, "done");
    }
}
