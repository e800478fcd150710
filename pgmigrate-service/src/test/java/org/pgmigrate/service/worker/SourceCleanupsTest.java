package org.pgmigrate.service.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SourceCleanupsTest {

    @Test
    void aRetryReplacesOnlyItsOwnSentenceAndKeepsTheRest() {
        String canceled = "Migration canceled. Drop it there if you do not want it.";
        String pending = SourceCleanups.CLEANUP + "Not undone: pgmigrate could not reach it. pgmigrate retries.";
        String first = SourceCleanups.replaced(canceled, SourceCleanups.CLEANUP, pending);
        assertThat(first).isEqualTo(canceled + " " + pending);
        String settings = SourceCleanups.SETTINGS + "ALTER SYSTEM RESET wal_level was run.";
        String both = SourceCleanups.replaced(first, SourceCleanups.SETTINGS, settings);
        assertThat(both).isEqualTo(canceled + " " + pending + " " + settings);
        String done = SourceCleanups.CLEANUP + "The replication slot and publication on the source were dropped (s).";
        assertThat(SourceCleanups.replaced(both, SourceCleanups.CLEANUP, done))
                .isEqualTo(canceled + " " + done + " " + settings);
        assertThat(SourceCleanups.replaced(null, SourceCleanups.CLEANUP, done)).isEqualTo(done);
        assertThat(SourceCleanups.replaced(pending, SourceCleanups.CLEANUP, done)).isEqualTo(done);
    }

    @Test
    void retriesRunEveryTenPollIntervalsWithinTwoToThirtySeconds() {
        assertThat(Scheduler.cleanupInterval(Duration.ofMillis(200))).isEqualTo(Duration.ofSeconds(2));
        assertThat(Scheduler.cleanupInterval(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(20));
        assertThat(Scheduler.cleanupInterval(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(30));
    }
}
