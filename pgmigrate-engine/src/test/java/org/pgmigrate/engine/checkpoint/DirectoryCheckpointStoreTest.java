package org.pgmigrate.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryCheckpointStoreTest {

    @TempDir
    Path tmp;

    @Test
    void keysWithTabsNewlinesAndBackslashesSurviveAReopen() {
        String odd = CheckpointKeys.of("part", "new\nline", "tab\tschema", "back\\slash\r") + "/1of1";
        String plain = CheckpointKeys.of("part", "new", "line", "x") + "/1of1";
        try (DirectoryCheckpointStore store = DirectoryCheckpointStore.open(tmp)) {
            store.markDone(odd);
            store.put(plain, "pending 42");
            store.put("value", "with\ttab\nand newline\\n");
        }
        try (DirectoryCheckpointStore store = DirectoryCheckpointStore.open(tmp)) {
            assertThat(store.isDone(odd)).isTrue();
            assertThat(store.get(plain)).contains("pending 42");
            assertThat(store.get("value")).contains("with\ttab\nand newline\\n");
        }
    }

    /**
     * A redoable record goes into the same journal, in order, and reads back like any other; the store's own map
     * sees it at once (the run that wrote it asks again), and a reopen after close or after a later durable put has it.
     */
    @Test
    void redoableRecordsReadBackInOrderWithTheDurableOnes() {
        try (DirectoryCheckpointStore store = DirectoryCheckpointStore.open(tmp)) {
            store.put("part/1", "pending 7");
            store.putRedoable("part/1", "done 10 200");
            store.markRedoableDone("index/a");
            assertThat(store.get("part/1")).contains("done 10 200");
            assertThat(store.isDone("index/a")).isTrue();
            store.put("phase", "copy");
            store.markRedoableDone("index/b");
        }
        try (DirectoryCheckpointStore store = DirectoryCheckpointStore.open(tmp)) {
            assertThat(store.get("part/1")).as("the later line wins").contains("done 10 200");
            assertThat(store.isDone("index/a")).isTrue();
            assertThat(store.isDone("index/b")).as("written to the journal, though no put followed it").isTrue();
            assertThat(store.get("phase")).contains("copy");
        }
    }

    @Test
    void theDirectoryIsMadePrivateEvenWhenItExistsAndTheJournalIs0600() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("existing"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (DirectoryCheckpointStore store = DirectoryCheckpointStore.open(dir)) {
            store.markDone("x");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(DirectoryCheckpointStore.JOURNAL))))
                .isEqualTo("rw-------");
    }
}
