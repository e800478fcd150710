package org.pgmigrate.engine;

import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.pgmigrate.engine.checkpoint.CheckpointStore;

/** A {@link CheckpointStore} over a real one, for tests of what a resumed run does after the process died. */
final class CrashingCheckpoints {

    private CrashingCheckpoints() {
    }

    /**
     * {@code real} as a process that dies ("simulated crash") at the first record {@code crashAt} matches, before
     * writing it, and that loses every record {@code lost} matches (as an unsynced journal line would be lost).
     */
    static CheckpointStore of(CheckpointStore real, BiPredicate<String, String> crashAt, Predicate<String> lost) {
        return new CheckpointStore() {
            @Override
            public Optional<String> get(String key) {
                return real.get(key);
            }

            @Override
            public void put(String key, String value) {
                if (crashAt.test(key, value)) {
                    throw new IllegalStateException("simulated crash");
                }
                if (!lost.test(key)) {
                    real.put(key, value);
                }
            }
        };
    }
}
