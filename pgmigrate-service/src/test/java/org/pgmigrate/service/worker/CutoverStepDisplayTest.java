package org.pgmigrate.service.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.cdc.CutoverStep;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.server.Endpoints;

/**
 * A cutover's steps are shown only once they have lasted a moment: a fast cutover writes none of them (each write
 * holds the store the cutover writes its own records to), a slow step shows while it runs, and nothing is written
 * after the display is closed, so the outcome written next is never overwritten by a step.
 */
class CutoverStepDisplayTest {

    private final RecordingRun run = new RecordingRun();

    @Test
    void stepsThatEndQuicklyAreNotWritten() {
        try (CutoverStepDisplay display = new CutoverStepDisplay(run, "shop", Duration.ofHours(1))) {
            for (CutoverStep step : CutoverStep.values()) {
                display.show(step);
            }
        }
        assertThat(run.operations).isEmpty();
    }

    @Test
    void aStepThatLastsIsShownWhileItRunsAndNothingIsWrittenAfterClosing() {
        try (CutoverStepDisplay display = new CutoverStepDisplay(run, "shop", Duration.ofMillis(50))) {
            display.show(CutoverStep.DRAIN); // e.g. a backlog to apply: it lasts
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !run.operations.isEmpty());
            assertThat(run.operations).containsExactly("Cutting over: " + CutoverStep.DRAIN.description());
        }
        try (CutoverStepDisplay display = new CutoverStepDisplay(run, "shop", Duration.ofHours(1))) {
            display.show(CutoverStep.DURABLE);
        }
        assertThat(run.operations).as("closed before the next step was due").hasSize(1);
    }

    /** The run's database writes, recorded; the rest of the run is not used by the display. */
    private static final class RecordingRun implements RunControl {

        final List<String> operations = new CopyOnWriteArrayList<>();

        @Override
        public void updateDatabase(String db, UnaryOperator<DatabaseDetails> change) {
            assertThat(db).isEqualTo("shop");
            operations.add(change.apply(DatabaseDetails.queued(db)).migrationOperation());
        }

        @Override
        public String migrationId() {
            return "m";
        }

        @Override
        public boolean advance(MigrationStatus expected, UnaryOperator<Migration> change) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void updateMigration(UnaryOperator<Migration> change) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void fail(MigrationStatus expected, String message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Endpoints endpoints(Migration m, MigrationStatus expected) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isShuttingDown() {
            return false;
        }

        @Override
        public void pause(Duration d) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void onShutdown(Runnable action) {
            throw new UnsupportedOperationException();
        }
    }
}
