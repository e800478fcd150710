package org.pgmigrate.service.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.cdc.Lsn;
import org.pgmigrate.engine.cdc.OnlineProgress;
import org.pgmigrate.engine.cdc.SlotSnapshot;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;

/** What a (re)started run does with each online database, decided from its details and its record alone. */
class OnlineDatabasesTest {

    private static final SlotSnapshot SLOT = new SlotSnapshot("s", "p", "x", Lsn.parse("0/10"));
    private static final OnlineProgress.CutoverPoints POINTS = new OnlineProgress.CutoverPoints(Lsn.parse("0/20"),
            Lsn.parse("0/28"));
    private static final OnlineProgress NOT_STARTED = new OnlineProgress(0, null, null, null, 0, false, null);
    private static final OnlineProgress COPYING = new OnlineProgress(1, null, null, null, 0, true, "id");
    private static final OnlineProgress COPIED = new OnlineProgress(1, SLOT, null, null, 0, true, "id");
    private static final OnlineProgress INTERRUPTED = new OnlineProgress(1, SLOT, POINTS, null, 0, true, "id");
    private static final OnlineProgress CUT_OVER = new OnlineProgress(1, SLOT, POINTS, POINTS, 0, true, "id");

    @Test
    void aCopiedDatabaseAppliesAgainWhateverItsStateSaysUnlessItIsCanceling() {
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER), COPIED, false))
                .isEqualTo(OnlineDatabases.Resume.APPLY);
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.IN_PROGRESS), COPIED, false))
                .as("copied just before a restart, before its state said so").isEqualTo(OnlineDatabases.Resume.APPLY);
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.CANCELING), COPIED, false))
                .isEqualTo(OnlineDatabases.Resume.NOTHING);
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER), COPIED, true))
                .as("already replicating here").isEqualTo(OnlineDatabases.Resume.NOTHING);
    }

    @Test
    void anInterruptedCutoverIsFinishedEvenWhileCanceling() {
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.IN_PROGRESS), INTERRUPTED, false))
                .isEqualTo(OnlineDatabases.Resume.FINISH_CUTOVER);
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.CANCELING), INTERRUPTED, true))
                .isEqualTo(OnlineDatabases.Resume.FINISH_CUTOVER);
    }

    @Test
    void finishedOrCutOverDatabasesAndCopiesStillRunningAreLeftAlone() {
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.SUCCEEDED), INTERRUPTED, false))
                .isEqualTo(OnlineDatabases.Resume.NOTHING);
        assertThat(OnlineDatabases.resumeAction(null, COPIED, false)).isEqualTo(OnlineDatabases.Resume.NOTHING);
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.IN_PROGRESS), CUT_OVER, false))
                .as("verified by the cutover step").isEqualTo(OnlineDatabases.Resume.NOTHING);
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.IN_PROGRESS), COPYING, false))
                .as("its base copy starts over on a database job").isEqualTo(OnlineDatabases.Resume.NOTHING);
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.IN_PROGRESS), NOT_STARTED, false))
                .isEqualTo(OnlineDatabases.Resume.NOTHING);
    }

    @Test
    void waitingForACutoverWithoutARecordedSlotCannotGoOn() {
        assertThat(OnlineDatabases.resumeAction(in(DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER), COPYING,
                false)).isEqualTo(OnlineDatabases.Resume.FAIL_WITHOUT_SLOT);
    }

    private static DatabaseDetails in(DatabaseMigrationState state) {
        return DatabaseDetails.queued("shop").withState(state, "Replicating changes", null);
    }
}
