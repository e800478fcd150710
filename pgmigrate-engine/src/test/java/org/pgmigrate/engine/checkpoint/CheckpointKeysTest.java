package org.pgmigrate.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CheckpointKeysTest {

    @Test
    void namesThatReadTheSameUnquotedGetDifferentKeys() {
        assertThat(CheckpointKeys.of("part", "db", "a.b", "c")).isEqualTo("part/\"db\"/\"a.b\".\"c\"");
        assertThat(CheckpointKeys.of("part", "db", "a", "b.c")).isEqualTo("part/\"db\"/\"a\".\"b.c\"");
        // a database called x/s against a schema called s/t
        assertThat(CheckpointKeys.of("plan", "x/s", "t", "u")).isNotEqualTo(CheckpointKeys.of("plan", "x", "s/t", "u"));
        // quotes inside names are doubled, so they cannot end a name early
        assertThat(CheckpointKeys.of("index", "d", "a\".\"b", "c")).isNotEqualTo(CheckpointKeys.of("index", "d", "a", "b\".\"c"));
    }
}
