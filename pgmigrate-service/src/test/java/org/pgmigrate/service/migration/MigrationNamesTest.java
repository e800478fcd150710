package org.pgmigrate.service.migration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MigrationNamesTest {

    @Test
    void lettersDigitsAndHyphensAreValid() {
        assertThat(MigrationNames.problem("migration1")).isEmpty();
        assertThat(MigrationNames.problem("Mig-2024-a")).isEmpty();
        assertThat(MigrationNames.problem("0f8fad5b-d9cb-469f-a165-70867728950e")).isEmpty();
        assertThat(MigrationNames.problem("a".repeat(63))).isEmpty();
    }

    @Test
    void otherNamesAreInvalidWithAReason() {
        assertThat(MigrationNames.problem("-lead")).get().asString().contains("starts with a hyphen");
        assertThat(MigrationNames.problem("under_score")).get().asString().contains("contains '_'");
        assertThat(MigrationNames.problem("a".repeat(64))).get().asString().contains("64 characters long; the limit is 63");
        assertThat(MigrationNames.problem("")).get().asString().contains("empty");
        assertThat(MigrationNames.problem("caf\u00e9")).isPresent();
    }
}
