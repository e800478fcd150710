package org.pgmigrate.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.pg.ServerVersion;

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

    /** Fake installations of majors no real one has (91, 93, 95 stand for 16, 17, 18 in spirit). */
    @Test
    void theNewestToolsBetweenTheSourceAndTheTargetAreTakenAndNewerOnesRefused() throws Exception {
        List<Path> dirs = List.of(fake(91), fake(93), fake(95));
        ServerVersion v90 = new ServerVersion(900000);
        ServerVersion v91 = new ServerVersion(910000);
        ServerVersion v94 = new ServerVersion(940000);
        ServerVersion v96 = new ServerVersion(960000);
        assertThat(PgTools.forMigration(v91, v94, dirs).major()).as("93 is the newest not newer than the target")
                .isEqualTo(93);
        assertThat(PgTools.forMigration(v90, v96, dirs).major()).isEqualTo(95);
        assertThat(PgTools.forMigration(v91, v91, dirs).major()).isEqualTo(91);
        // source 92 and target 92: 93 and 95 can read the source, but their pg_restore sets what 92 does not know
        ServerVersion v92 = new ServerVersion(920000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PgTools.forMigration(v92, v92, dirs))
                .isInstanceOfSatisfying(org.pgmigrate.engine.EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(org.pgmigrate.engine.EngineError.NO_SUITABLE_PG_DUMP);
                    assertThat(e.getMessage()).contains("need pg_dump and pg_restore 92 (not older than the source,"
                            + " not newer than the target").contains("Install postgresql-client-92");
                });
    }

    private Path fake(int major) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pg" + major).resolve("bin"));
        for (String tool : List.of("pg_dump", "pg_restore")) {
            Path script = Files.writeString(dir.resolve(tool), "#!/bin/sh\necho '" + tool + " (PostgreSQL) " + major
                    + ".1'\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
        return dir;
    }
}
