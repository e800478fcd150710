package org.pgmigrate.engine.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

class OwnerOnlyTest {

    @TempDir
    Path tmp;

    @Test
    void createsMissingDirectoriesAndTheirMissingParentsWithMode0700() throws Exception {
        Path dir = tmp.resolve("a").resolve("b").resolve("c");
        OwnerOnly.directory(dir);
        assertThat(mode(tmp.resolve("a"))).isEqualTo("rwx------");
        assertThat(mode(tmp.resolve("a").resolve("b"))).isEqualTo("rwx------");
        assertThat(mode(dir)).isEqualTo("rwx------");
    }

    @Test
    void tightensAnExistingDirectoryButLeavesItsExistingParentsAlone() throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("shared"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path dir = Files.createDirectory(parent.resolve("work"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        OwnerOnly.directory(dir);
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(mode(parent)).isEqualTo("rwxr-xr-x");
    }

    @Test
    void createsFilesWithMode0600AndTightensExistingOnesKeepingTheirContent() throws Exception {
        Path fresh = OwnerOnly.file(tmp.resolve("fresh"));
        assertThat(mode(fresh)).isEqualTo("rw-------");
        Path existing = Files.writeString(tmp.resolve("existing"), "kept");
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnly.file(existing);
        assertThat(mode(existing)).isEqualTo("rw-------");
        assertThat(Files.readString(existing)).isEqualTo("kept");
    }

    @Test
    void aPathThatCannotBeCreatedIsAnErrorNamingItAndTheReason() throws Exception {
        assertThatThrownBy(() -> OwnerOnly.directory(Path.of("/proc/nonexistent/x")))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error()).isEqualTo(EngineError.WORK_FILES_FAILED))
                .hasMessage("Cannot create the directory /proc/nonexistent/x (/proc/nonexistent: no such file or directory).");
        Path file = Files.writeString(tmp.resolve("a-file"), "");
        assertThatThrownBy(() -> OwnerOnly.directory(file.resolve("sub")))
                .hasMessageContaining("Cannot create the directory " + file.resolve("sub"));
        assertThatThrownBy(() -> OwnerOnly.directory(file))
                .hasMessage("Cannot create the directory " + file + " (" + file + ": a file is in the way).");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
