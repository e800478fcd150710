package org.pgmigrate.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

    @TempDir
    Path dir;

    @Test
    void sealedValuesOpenOnlyForTheirOwnerAndHideThePlainText() throws Exception {
        SecretBox box = SecretBox.loadOrCreate(dir.resolve("secrets.key"));
        String sealed = box.seal("Pa55word!", "migration-1");
        assertThat(sealed).startsWith("v1:").doesNotContain("Pa55word");
        assertThat(box.open(sealed, "migration-1")).isEqualTo("Pa55word!");
        assertThatThrownBy(() -> box.open(sealed, "migration-2")).isInstanceOf(IllegalStateException.class);
        assertThat(box.seal("Pa55word!", "migration-1")).isNotEqualTo(sealed);
    }

    @Test
    void theKeyFileIsPrivateAndReusedAtTheNextStart() throws Exception {
        Path key = dir.resolve("secrets.key");
        String sealed = SecretBox.loadOrCreate(key).seal("x", "o");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(SecretBox.loadOrCreate(key).open(sealed, "o")).isEqualTo("x");
    }

    @Test
    void theTokenIsGeneratedOncePrivatelyAndCheckedExactly() throws Exception {
        Path file = dir.resolve("token");
        BearerToken token = BearerToken.loadOrCreate(file);
        String text = Files.readString(file).trim();
        assertThat(text).hasSizeGreaterThanOrEqualTo(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(token.matches(text)).isTrue();
        assertThat(token.matches(text + "x")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(BearerToken.loadOrCreate(file).matches(text)).isTrue();
        assertThat(token.toString()).doesNotContain(text);
    }
}
