package org.pgmigrate.engine.checkpoint;

import java.util.Optional;

/**
 * A view of a {@link CheckpointStore} in which every key starts with {@code prefix}: an online database's base copy
 * runs each attempt in its own namespace, since a copy under a new snapshot must not skip what an earlier attempt
 * copied under another. Thread-safe when the underlying store is.
 */
public final class PrefixedCheckpointStore implements CheckpointStore {

    private final CheckpointStore store;
    private final String prefix;

    public PrefixedCheckpointStore(CheckpointStore store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    @Override
    public Optional<String> get(String key) {
        return store.get(prefix + key);
    }

    @Override
    public void put(String key, String value) {
        store.put(prefix + key, value);
    }

    @Override
    public void putRedoable(String key, String value) {
        store.putRedoable(prefix + key, value);
    }

    @Override
    public void sync() {
        store.sync();
    }
}
