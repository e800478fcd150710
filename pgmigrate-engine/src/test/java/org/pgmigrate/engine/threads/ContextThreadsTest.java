package org.pgmigrate.engine.threads;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class ContextThreadsTest {

    @AfterEach
    void clearContext() {
        MDC.clear();
    }

    @Test
    void aThreadLogsInTheContextOfTheThreadThatMadeItNotOfWhoeverStartsIt() throws Exception {
        MDC.put("migration", "m1");
        MDC.put("db", "shop");
        AtomicReference<String> seen = new AtomicReference<>();
        Thread worker = ContextThreads.newThread("pgmigrate-test-worker",
                () -> seen.set(MDC.get("migration") + "/" + MDC.get("db") + " " + Thread.currentThread().getName()));
        MDC.clear(); // what the creator does afterwards does not reach the worker

        worker.start();
        worker.join(10_000);

        assertThat(seen.get()).isEqualTo("m1/shop pgmigrate-test-worker");
        assertThat(worker.isDaemon()).as("as the creator is").isEqualTo(Thread.currentThread().isDaemon());
        assertThat(ContextThreads.newDaemonThread("pgmigrate-test-daemon", () -> { }).isDaemon()).isTrue();
    }

    @Test
    void anExecutorsThreadsCarryTheContextOfWhoeverMadeTheFactory() throws Exception {
        MDC.put("db", "shop");
        ExecutorService executor = Executors.newSingleThreadExecutor(ContextThreads.daemonFactory("pgmigrate-test-pool"));
        MDC.clear();
        try {
            String seen = CompletableFuture.supplyAsync(() -> MDC.get("db") + " " + Thread.currentThread().getName()
                    + " daemon=" + Thread.currentThread().isDaemon(), executor).get(10, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo("shop pgmigrate-test-pool daemon=true");
        } finally {
            executor.shutdownNow();
        }
    }
}
