package org.pgmigrate.engine.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerVersionTest {

    @Test
    void namesTwoPartMajorsBefore10AndOnePartMajorsFrom10() {
        assertThat(new ServerVersion(90624)).hasToString("9.6.24");
        assertThat(new ServerVersion(90503)).hasToString("9.5.3");
        assertThat(new ServerVersion(100023)).hasToString("10.23");
        assertThat(new ServerVersion(150018)).hasToString("15.18");
        assertThat(new ServerVersion(90624).majorName()).isEqualTo("9.6");
        assertThat(new ServerVersion(100023).majorName()).isEqualTo("10");
    }

    @Test
    void comparesAcrossTheRenumbering() {
        ServerVersion v95 = new ServerVersion(90503);
        ServerVersion v96 = new ServerVersion(90624);
        ServerVersion v10 = new ServerVersion(100023);
        assertThat(v95.atLeast(9, 6)).isFalse();
        assertThat(v96.atLeast(9, 6)).isTrue();
        assertThat(v10.atLeast(9, 6)).isTrue();
        assertThat(v96.atLeast(10)).isFalse();
        assertThat(v10.atLeast(10)).isTrue();
        assertThat(v10.atLeast(11)).isFalse();
        assertThat(v96.major()).isEqualTo(9);
        assertThat(v96).isLessThan(v10);
        // 9 alone does not say which 9.x is meant.
        assertThatThrownBy(() -> v96.atLeast(9)).isInstanceOf(IllegalArgumentException.class);
    }
}
