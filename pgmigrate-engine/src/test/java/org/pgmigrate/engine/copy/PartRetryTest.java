package org.pgmigrate.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgConnector.Side;

class PartRetryTest {

    @Test
    void lostConnectionsTerminatedBackendsConflictsAndTooManyConnectionsAreRetried() {
        for (String state : new String[] {"08006", "08003", "08001", "57P01", "57P02", "57P03", "40001", "40P01", "53300"}) {
            assertThat(PartRetry.isTransient(new SQLException("x", state))).as(state).isTrue();
        }
        assertThat(PartRetry.isTransient(new CopyFailure(Side.SOURCE, new SQLException("x", "57P01"), -1))).isTrue();
        assertThat(PartRetry.isTransient(new SQLException("I/O", null, new IOException("reset")))).isTrue();
        assertThat(PartRetry.isTransient(new EngineException(EngineError.TARGET_UNREACHABLE, "down"))).isTrue();
        assertThat(PartRetry.isTransient(new EngineException(EngineError.SOURCE_UNREACHABLE, "down"))).isTrue();
    }

    @Test
    void dataPrivilegeResourceAndCancelFailuresAreNot() {
        for (String state : new String[] {"22P02", "23505", "23514", "42501", "53100", "53200", "53400", "57014", "XX000"}) {
            assertThat(PartRetry.isTransient(new SQLException("x", state))).as(state).isFalse();
        }
        assertThat(PartRetry.isTransient(new EngineException(EngineError.CANCELED, "stop"))).isFalse();
        assertThat(PartRetry.isTransient(new EngineException(EngineError.WORK_FILES_FAILED, "disk"))).isFalse();
        assertThat(PartRetry.isTransient(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void pausesAreOneThenFourSeconds() {
        assertThat(PartRetry.ATTEMPTS).isEqualTo(3);
        assertThat(PartRetry.pauseBefore(2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(PartRetry.pauseBefore(3)).isEqualTo(Duration.ofSeconds(4));
    }
}
