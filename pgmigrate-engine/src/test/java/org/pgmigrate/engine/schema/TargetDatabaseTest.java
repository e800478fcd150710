package org.pgmigrate.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TargetDatabaseTest {

    @Test
    void quotesListSettingsElementByElementLikePgDump() {
        assertThat(TargetDatabase.alterDatabaseSet("shop", "search_path=\"$user\", public, \"a, b\""))
                .isEqualTo("ALTER DATABASE \"shop\" SET \"search_path\" TO '$user', 'public', 'a, b'");
    }

    @Test
    void quotesScalarSettingsAsOneLiteral() {
        assertThat(TargetDatabase.alterDatabaseSet("My DB", "work_mem=64MB"))
                .isEqualTo("ALTER DATABASE \"My DB\" SET \"work_mem\" TO '64MB'");
        assertThat(TargetDatabase.alterDatabaseSet("d", "application_name=it's"))
                .isEqualTo("ALTER DATABASE \"d\" SET \"application_name\" TO 'it''s'");
    }
}
