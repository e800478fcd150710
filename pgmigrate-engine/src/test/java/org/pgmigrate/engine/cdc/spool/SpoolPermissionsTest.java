package org.pgmigrate.engine.cdc.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.cdc.Lsn;

/** The spool holds the source's rows: its directory is 0700 and every file in it 0600, whatever the umask. */
class SpoolPermissionsTest {

    @TempDir
    Path tmp;

    @Test
    void theSpoolDirectoryIs0700AndItsSegmentsAndStreamFiles0600() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("spool"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Spool spool = Spool.open(dir, 1024 * 1024, (l, t) -> { })) {
            spool.appendMessage(ByteBuffer.allocate(21).put((byte) 'B').putLong(0x100).putLong(0).putInt(1).flip());
            spool.appendMessage(ByteBuffer.allocate(26).put((byte) 'C').put((byte) 0).putLong(0x100).putLong(0x110)
                    .putLong(0).flip());
            spool.endTransaction(Lsn.of(0x110));
            spool.stream(7, true).append(ByteBuffer.allocate(6).put((byte) 'I').putInt(7).put((byte) 'x').flip(), 7, true);
            spool.sync();

            assertThat(mode(dir)).isEqualTo("rwx------");
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.toList();
            }
            assertThat(files).anyMatch(p -> p.getFileName().toString().endsWith(".spool"))
                    .anyMatch(p -> p.getFileName().toString().endsWith(".part"));
            for (Path f : files) {
                assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------");
            }
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
