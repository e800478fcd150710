package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.slf4j.MDC;

class SideCallTest {

    @AfterEach
    void clearContext() {
        MDC.clear();
    }

    @Test
    void theCallRunsOnADaemonThreadOfItsNameWithTheCallersLoggingContext() {
        MDC.put("migration", "m1");
        SideCall<String> call = SideCall.start("pgmigrate-test-side", () -> Thread.currentThread().getName()
                + " daemon=" + Thread.currentThread().isDaemon() + " migration=" + MDC.get("migration"));

        assertThat(call.join()).isEqualTo("pgmigrate-test-side daemon=true migration=m1");
    }

    @Test
    void joinThrowsWhatTheCallThrewItself() {
        EngineException notOurs = new EngineException(EngineError.TARGET_DATABASE_CHANGED, "not our database");
        SideCall<Void> call = SideCall.start("pgmigrate-test-side", () -> {
            throw notOurs;
        });

        assertThatThrownBy(call::join).isSameAs(notOurs);
    }

    @Test
    void aCallerThatGaveUpStillGetsTheResultToCleanUpOnceItComes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SideCall<String> call = SideCall.start("pgmigrate-test-side", () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "session";
        });
        AtomicReference<String> closed = new AtomicReference<>();
        CountDownLatch cleaned = new CountDownLatch(1);
        call.whenDone(result -> {
            closed.set(result);
            cleaned.countDown();
        });
        assertThat(closed.get()).isNull();

        release.countDown();

        assertThat(cleaned.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(closed.get()).isEqualTo("session");
    }
}
