package org.pgmigrate.service.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MigrationStatusTest {

    @Test
    void theOfflinePathIsAllowed() {
        MigrationStatus s = MigrationStatus.PREREQUISITES.moveTo(MigrationStatus.MIGRATING)
                .moveTo(MigrationStatus.COMPLETING).moveTo(MigrationStatus.SUCCEEDED_DONE);
        assertThat(s.toString()).isEqualTo("Succeeded/Completed");
    }

    @Test
    void theOnlinePathIsAllowed() {
        assertThat(MigrationStatus.MIGRATING.canMoveTo(MigrationStatus.CUTOVER_TRIGGER)).isTrue();
        assertThat(MigrationStatus.CUTOVER_TRIGGER.canMoveTo(MigrationStatus.COMPLETING)).isTrue();
        assertThat(MigrationStatus.PREREQUISITES.canMoveTo(MigrationStatus.LOGICAL_REPLICATION_SETUP)).isTrue();
        assertThat(MigrationStatus.VALIDATING.canMoveTo(MigrationStatus.VALIDATION_FAILED_DONE)).isTrue();
    }

    @Test
    void waitingStatesResumeThroughPrerequisites() {
        assertThat(MigrationStatus.OVERWRITE_CONFIRMATION.canMoveTo(MigrationStatus.PREREQUISITES)).isTrue();
        assertThat(MigrationStatus.WINDOW.canMoveTo(MigrationStatus.PREREQUISITES)).isTrue();
        assertThat(MigrationStatus.WINDOW.canMoveTo(MigrationStatus.MIGRATING)).isFalse();
    }

    @Test
    void everyActivePairCanFailOrBeCanceledButFinishedOnesStayFinished() {
        for (MigrationStatus s : new MigrationStatus[] {MigrationStatus.PREREQUISITES, MigrationStatus.WINDOW,
                MigrationStatus.MIGRATING, MigrationStatus.OVERWRITE_CONFIRMATION, MigrationStatus.CUTOVER_TRIGGER}) {
            assertThat(s.canMoveTo(MigrationStatus.FAILED_DONE)).as(s.toString()).isTrue();
            assertThat(s.canMoveTo(MigrationStatus.CANCELING)).as(s.toString()).isTrue();
        }
        assertThat(MigrationStatus.CANCELING.canMoveTo(MigrationStatus.MIGRATING)).isFalse();
        assertThatThrownBy(() -> MigrationStatus.SUCCEEDED_DONE.moveTo(MigrationStatus.CANCELING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Illegal migration state change from Succeeded/Completed to InProgress/CancelingRequestedDBMigrations.");
    }

    @Test
    void completedGoesWithFinishedStatesOnly() {
        assertThatThrownBy(() -> new MigrationStatus(MigrationState.IN_PROGRESS, MigrationSubState.COMPLETED))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
