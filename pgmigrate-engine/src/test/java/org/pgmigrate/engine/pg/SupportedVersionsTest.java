package org.pgmigrate.engine.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

class SupportedVersionsTest {

    private static final ServerVersion V94 = new ServerVersion(90426);
    private static final ServerVersion V95 = new ServerVersion(90503);
    private static final ServerVersion V96 = new ServerVersion(90624);
    private static final ServerVersion V10 = new ServerVersion(100023);
    private static final ServerVersion V15 = new ServerVersion(150018);
    private static final ServerVersion V17 = new ServerVersion(170006);
    private static final ServerVersion V18 = new ServerVersion(180001);
    private static final ServerVersion V19 = new ServerVersion(190001);

    @Test
    void takesSourcesFrom95To18AndTargetsFrom11To18() {
        assertThat(SupportedVersions.within(V95, V15)).isTrue();
        assertThat(SupportedVersions.within(V17, V17)).isTrue();
        assertThat(SupportedVersions.within(V18, V18)).isTrue();
        assertThat(SupportedVersions.within(V95, V18)).isTrue();
        assertThat(SupportedVersions.within(V94, V15)).isFalse();
        assertThat(SupportedVersions.within(V19, V19)).isFalse();
        assertThat(SupportedVersions.within(V15, V10)).isFalse();
        assertThat(SupportedVersions.within(V15, V19)).isFalse();
    }

    @Test
    void refusesAnUnsupportedServerNamingItAndTheRange() {
        assertThatThrownBy(() -> SupportedVersions.require(V94, "old:5432", V15, "new:5432"))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.UNSUPPORTED_VERSION);
                    assertThat(e.getMessage()).contains("The source old:5432 runs PostgreSQL 9.4.26")
                            .contains("pgmigrate supports sources 9.5 to 18 and targets 11 to 18")
                            .contains("Upgrade the source to 9.5 or newer");
                });
        assertThatThrownBy(() -> SupportedVersions.require(V96, "old:5432", V10, "new:5432"))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.getMessage())
                        .contains("The target new:5432 runs PostgreSQL 10.23")
                        .contains("pgmigrate supports sources 9.5 to 18 and targets 11 to 18")
                        .contains("PostgreSQL 11 or newer"));
        assertThatThrownBy(() -> SupportedVersions.require(V15, "a:1", V19, "b:1"))
                .hasMessageContaining("The target b:1 runs PostgreSQL 19.1").hasMessageContaining("PostgreSQL 19");
    }

    @Test
    void onlineNeedsPgoutputFrom10() {
        assertThatThrownBy(() -> SupportedVersions.requireOnline(V96, "old:5432"))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.UNSUPPORTED_VERSION);
                    assertThat(e.getMessage()).contains("PostgreSQL 9.6 has no pgoutput")
                            .contains("migrate it offline, or upgrade the source to 10+ first");
                });
        assertThat(SupportedVersions.onlineProblem(V95)).hasValueSatisfying(m -> assertThat(m).contains("9.5"));
        assertThat(SupportedVersions.onlineProblem(V10)).isEmpty();
        SupportedVersions.requireOnline(V10, "ten:5432");
    }
}
