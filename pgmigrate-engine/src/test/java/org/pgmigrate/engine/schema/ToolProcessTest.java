package org.pgmigrate.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.pg.PgEndpoint;

class ToolProcessTest {

    private static final PgEndpoint WITH_PASSWORD =
            PgEndpoint.parse("postgresql://app:S3cret%20pw@db.example:5433/shop?sslmode=require");

    @Test
    void thePasswordReachesTheChildThroughItsEnvironmentAndNotItsArguments() {
        // sh prints its environment; the connection string is its (unused) first argument, as pg_dump would get it.
        List<String> command = List.of("/bin/sh", "-c", "/usr/bin/env", "sh", "--dbname=" + WITH_PASSWORD.conninfoWithoutPassword());
        String env = ToolProcess.run(command, WITH_PASSWORD, new Cancellation(), EngineError.INTERNAL, "env");
        assertThat(env.lines()).contains("PGPASSWORD=S3cret pw");
        assertThat(command).noneMatch(a -> a.contains("S3cret"));
    }

    @Test
    void aConnectionStringArgumentWithAPasswordIsRefusedBeforeAnythingStarts() {
        for (String dbname : List.of("host=h user=u password=S3cret dbname=d", "postgresql://u:S3cret@h/d",
                "host=h 'unterminated")) {
            assertThatThrownBy(() -> ToolProcess.run(List.of("/bin/false", "--dbname=" + dbname), WITH_PASSWORD,
                    new Cancellation(), EngineError.INTERNAL, "tool"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("password in its command line")
                    .hasMessageNotContaining("S3cret");
        }
    }
}
