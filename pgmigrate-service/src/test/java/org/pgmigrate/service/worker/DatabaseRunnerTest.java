package org.pgmigrate.service.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

class DatabaseRunnerTest {

    @Test
    void anExistingTargetDatabaseIsExplainedInTheServicesTermsNotClones() {
        String advice = DatabaseRunner.advice(new EngineException(EngineError.TARGET_DATABASE_EXISTS,
                "Database 'shop' already exists on the target 10.0.0.5:5432."));
        assertThat(advice).contains("overwriteDbsInTarget").contains("--overwrite-dbs").doesNotContain("--drop-if-exists")
                .doesNotContain("clone");
    }

    @Test
    void otherErrorsSpeakForThemselves() {
        assertThat(DatabaseRunner.advice(new EngineException(EngineError.COPY_FAILED, "COPY failed."))).isEmpty();
    }
}
