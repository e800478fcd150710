package org.pgmigrate.engine.cdc.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

/** The applier's runner: order, the bound on rows in flight, and how a failure reaches the applier. */
class BatchPipelineTest {

    @Test
    void batchesRunOneAtATimeInTheOrderHandedOverOnTheRunnerThread() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        try (BatchPipeline pipeline = new BatchPipeline("pgmigrate-cdc-target-test", 10)) {
            for (int i = 0; i < 200; i++) {
                int n = i;
                pipeline.submit(1 + i % 7, () -> {
                    if (running.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    ran.add(n);
                    threads.add(Thread.currentThread().getName());
                    running.decrementAndGet();
                });
            }
            pipeline.await();
            assertThat(ran).hasSize(200).isSorted();
            assertThat(overlaps).hasValue(0);
            assertThat(threads).containsOnly("pgmigrate-cdc-target-test");
        }
    }

    @Test
    void noMoreRowsThanTheBoundAreInFlightBesideTheOneHandedOver() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (BatchPipeline pipeline = new BatchPipeline("runner", 10)) {
            pipeline.submit(6, () -> {
                started.incrementAndGet();
                await(release);
            });
            pipeline.submit(4, started::incrementAndGet); // 10 in flight: still within the bound
            Thread applier = new Thread(() -> {
                try {
                    pipeline.submit(1, started::incrementAndGet); // 11: waits for the first ones
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            applier.start();
            applier.join(300);
            assertThat(applier.isAlive()).as("the hand-over waits while the bound is reached").isTrue();
            release.countDown();
            applier.join(10_000);
            assertThat(applier.isAlive()).isFalse();
            pipeline.await();
            assertThat(started).hasValue(3);
        }
    }

    @Test
    void theFirstFailureReachesTheApplierAsThrownAndLaterBatchesDoNotRun() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (BatchPipeline pipeline = new BatchPipeline("runner", 1000)) {
            // The first batch holds the runner until all four are handed over: a hand-over after a batch that has
            // failed already throws that failure itself (the next test), which is not what this one is about.
            pipeline.submit(1, () -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.add(1);
            });
            pipeline.submit(1, () -> {
                throw new SQLException("duplicate key value violates unique constraint", "23505");
            });
            pipeline.submit(1, () -> ran.add(3));
            pipeline.submit(1, () -> {
                throw new EngineException(EngineError.REPLICATION_FAILED, "second failure");
            });
            release.countDown();
            assertThatThrownBy(pipeline::await).isInstanceOf(SQLException.class)
                    .hasMessageContaining("duplicate key").extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("23505");
            assertThat(ran).containsExactly(1);
        }
    }

    @Test
    void anEngineFailureIsThrownAtTheNextHandOverAndDiscardLeavesTheRunnerUsable() throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        try (BatchPipeline pipeline = new BatchPipeline("runner", 1000)) {
            pipeline.submit(1, () -> {
                failed.countDown();
                throw new EngineException(EngineError.REPLICATION_FAILED, "UPDATE of public.t matched no row");
            });
            assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1000; i++) { // the failed batch is seen once it has ended
                    pipeline.submit(1, () -> { });
                }
            }).isInstanceOf(EngineException.class).hasMessageContaining("matched no row");

            pipeline.discard(); // the group is rolled back; the next session's batches run again
            List<Integer> ran = new CopyOnWriteArrayList<>();
            pipeline.submit(1, () -> ran.add(1));
            pipeline.await();
            assertThat(ran).containsExactly(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
