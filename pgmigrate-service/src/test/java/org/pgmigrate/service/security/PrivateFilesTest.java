package org.pgmigrate.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {

    @TempDir
    Path dir;

    @Test
    void aNewDirectoryIs0700AndAnExistingOpenOneIsTightenedTo0700() throws Exception {
        Path fresh = dir.resolve("a").resolve("fresh");
        PrivateFiles.createDirectory(fresh);
        assertThat(mode(fresh)).isEqualTo("rwx------");

        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivateFiles.createDirectory(open);
        assertThat(mode(open)).isEqualTo("rwx------");
    }

    @Test
    void restrictToOwnerTakesAwayGroupAndOthersOnlyKeepingTheOwnersBits() throws Exception {
        Path file = Files.createFile(dir.resolve("store"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        PrivateFiles.restrictToOwner(file);
        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsAnErrorNamingIt() throws Exception {
        Path file = Files.createFile(dir.resolve("not-a-dir"));
        assertThatThrownBy(() -> PrivateFiles.createDirectory(file)).isInstanceOf(UncheckedIOException.class)
                .hasMessage("Cannot create directory " + file + ": " + file + " is not a directory");
        Path under = file.resolve("child");
        assertThatThrownBy(() -> PrivateFiles.createDirectory(under)).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("Cannot create directory " + under + ": ");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
