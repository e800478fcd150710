package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;

/** How a clone starts over a work directory and the target databases in its way; never by discarding a journal. */
class CloneStartTest {

    private static final String TARGET = "10.0.0.5:5432";

    @TempDir
    Path dir;

    @Test
    void aRunWithoutResumeOverAnInterruptedClonesJournalIsRefusedAndTheJournalKept() {
        try (DirectoryCheckpointStore journal = DirectoryCheckpointStore.open(dir)) {
            journal.markDone("db/big3/created");
            journal.put("part/\"big3\"/\"public\".\"t\"/1of1", "done 10 100");

            assertThatThrownBy(() -> CloneStart.decide(false, false, journal, pairs("big3"), List.of("big3"), dir, TARGET))
                    .isInstanceOfSatisfying(CliException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
                        assertThat(e.getMessage()).contains("Database 'big3' already exists on the target " + TARGET)
                                .contains(dir + " holds the checkpoints of an interrupted clone")
                                .contains("Add --resume").contains("--drop-if-exists")
                                .doesNotContain("overwriteDbsInTarget");
                    });
            assertThat(journal.hasEntries()).isTrue();
            assertThat(journal.isDone("db/big3/created")).isTrue();
        }
    }

    @Test
    void theJournalAloneIsEnoughToRefuseAFreshRun() {
        try (DirectoryCheckpointStore journal = DirectoryCheckpointStore.open(dir)) {
            journal.markDone("roles");
            assertThatThrownBy(() -> CloneStart.decide(false, false, journal, pairs("a"), List.of(), dir, TARGET))
                    .hasMessageStartingWith(dir + " holds the checkpoints of an interrupted clone").hasMessageContaining("--resume");
        }
    }

    @Test
    void dropIfExistsStartsOverAndResumeContinues() {
        try (DirectoryCheckpointStore journal = DirectoryCheckpointStore.open(dir)) {
            journal.markDone("db/big3/created");
            assertThat(CloneStart.decide(false, true, journal, pairs("big3"), List.of("big3"), dir, TARGET))
                    .isEqualTo(CloneStart.START_OVER);
            assertThat(CloneStart.decide(true, false, journal, pairs("big3"), List.of("big3"), dir, TARGET))
                    .isEqualTo(CloneStart.RESUME);
            assertThat(journal.hasEntries()).as("deciding discards nothing").isTrue();
        }
    }

    @Test
    void everyTargetDatabaseInTheWayIsNamedAtOnce() {
        try (DirectoryCheckpointStore journal = DirectoryCheckpointStore.open(dir)) {
            assertThatThrownBy(() -> CloneStart.decide(false, false, journal, pairs("a", "b", "c"), List.of("a", "c"),
                    dir, TARGET))
                    .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.getMessage())
                            .startsWith("Databases 'a', 'c' already exist on the target " + TARGET + ".")
                            .contains("Drop them, choose other target databases, or add --drop-if-exists to drop and"
                                    + " recreate them (their contents are lost). Nothing was written.")
                            .doesNotContain("--resume"));
            assertThat(CloneStart.decide(false, true, journal, pairs("a", "b"), List.of("a"), dir, TARGET))
                    .isEqualTo(CloneStart.FRESH);
            assertThat(CloneStart.decide(false, false, journal, pairs("a", "b"), List.of(), dir, TARGET))
                    .isEqualTo(CloneStart.FRESH);
        }
    }

    @Test
    void aResumedCloneContinuesTheDatabasesItCreatedAndNamesTheOthersInTheWay() {
        try (DirectoryCheckpointStore journal = DirectoryCheckpointStore.open(dir)) {
            journal.markDone("db/a/created");
            assertThatThrownBy(() -> CloneStart.decide(true, false, journal, pairs("a", "b"), List.of("a", "b"), dir,
                    TARGET))
                    .hasMessageStartingWith("Database 'b' already exists on the target " + TARGET + ", and the"
                            + " interrupted clone recorded in " + dir + " did not create it. Drop it");
            assertThat(CloneStart.decide(true, false, journal, pairs("a", "b"), List.of("a"), dir, TARGET))
                    .isEqualTo(CloneStart.RESUME);
        }
    }

    @Test
    void resumeWithNothingRecordedStartsANewCloneButStillNamesWhatIsInTheWay() {
        try (DirectoryCheckpointStore journal = DirectoryCheckpointStore.open(dir)) {
            assertThat(CloneStart.decide(true, false, journal, pairs("a"), List.of(), dir, TARGET))
                    .isEqualTo(CloneStart.NOTHING_TO_RESUME);
            assertThatThrownBy(() -> CloneStart.decide(true, false, journal, pairs("a"), List.of("a"), dir, TARGET))
                    .hasMessageStartingWith("Database 'a' already exists");
        }
    }

    @Test
    void namesFromTheSourceArePrintedEscaped() {
        try (DirectoryCheckpointStore journal = DirectoryCheckpointStore.open(dir)) {
            assertThatThrownBy(() -> CloneStart.decide(false, false, journal, pairs("x\nERROR: forged"),
                    List.of("x\nERROR: forged"), dir, TARGET))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    private static List<String[]> pairs(String... dbs) {
        return java.util.Arrays.stream(dbs).map(db -> new String[] {db, db}).toList();
    }
}
