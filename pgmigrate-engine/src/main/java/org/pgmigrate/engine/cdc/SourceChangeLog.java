package org.pgmigrate.engine.cdc;

import java.util.concurrent.atomic.AtomicReference;
import org.pgmigrate.engine.checkpoint.CheckpointStore;

/**
 * Where the engine records what it changes on a source ({@link SourceChanges}) before it changes it, and what is left
 * to undo after an undo. The service keeps it in its store (outliving the migration's record, so that a cleanup that
 * could not finish is retried); {@link #in(CheckpointStore, String)} keeps it in a checkpoint store;
 * {@link #inMemory()} only for a process that would not undo after a crash anyway (demos, tests).
 *
 * <p>{@link #save} must be durable when it returns. Implementations must be thread-safe.
 */
public interface SourceChangeLog {

    /** What is recorded now ({@link SourceChanges#NONE} when nothing is). */
    SourceChanges load();

    /** Replaces the record; {@link SourceChanges#isEmpty() empty} means nothing is left to undo. */
    void save(SourceChanges changes);

    /** A record that lives as long as this object. */
    static SourceChangeLog inMemory() {
        AtomicReference<SourceChanges> held = new AtomicReference<>(SourceChanges.NONE);
        return new SourceChangeLog() {
            @Override
            public SourceChanges load() {
                return held.get();
            }

            @Override
            public void save(SourceChanges changes) {
                held.set(changes);
            }
        };
    }

    /** A record under {@code key} in {@code store} (an empty record is stored as such: stores cannot delete). */
    static SourceChangeLog in(CheckpointStore store, String key) {
        return new SourceChangeLog() {
            @Override
            public SourceChanges load() {
                return store.get(key).map(SourceChanges::decode).orElse(SourceChanges.NONE);
            }

            @Override
            public void save(SourceChanges changes) {
                store.put(key, changes.encode());
            }
        };
    }
}
