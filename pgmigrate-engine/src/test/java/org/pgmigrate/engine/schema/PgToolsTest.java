package org.pgmigrate.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgToolsTest {

    @TempDir
    Path tmp;

    @Test
    void relativeSearchPathEntriesAreIgnoredAndAbsoluteOnesFound() throws Exception {
        // Fake tools that claim a major no real installation has, so that finding them is unambiguous.
        Path dir = Files.createDirectory(tmp.resolve("bin"));
        for (String tool : List.of("pg_dump", "pg_restore")) {
            Path script = Files.writeString(dir.resolve(tool), "#!/bin/sh\necho '" + tool + " (PostgreSQL) 97.1'\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path relative = cwd.relativize(dir);
        assertThat(relative.isAbsolute()).isFalse();
        assertThat(Files.isExecutable(relative.resolve("pg_dump"))).as("reachable from the current directory").isTrue();

        assertThat(PgTools.discover(List.of(relative, Path.of(""), Path.of("."))))
                .noneMatch(t -> t.major() == 97);
        assertThat(PgTools.discover(List.of(dir)))
                .anySatisfy(t -> {
                    assertThat(t.major()).isEqualTo(97);
                    assertThat(t.binDir()).isEqualTo(dir);
                });
    }
}
