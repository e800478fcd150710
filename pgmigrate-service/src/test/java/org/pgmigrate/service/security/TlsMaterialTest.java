package org.pgmigrate.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {

    @TempDir
    Path dir;

    @Test
    void theGeneratedCertificateIsReusedAtTheNextStartWithAPrivateKeyFile() throws Exception {
        Path crt = dir.resolve("tls/server.crt");
        Path key = dir.resolve("tls/server.key");
        TlsMaterial first = TlsMaterial.selfSigned(crt, key, "127.0.0.1");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(crt)).startsWith("-----BEGIN CERTIFICATE-----");
        TlsMaterial second = TlsMaterial.selfSigned(crt, key, "127.0.0.1");
        assertThat(second.certificate()).isEqualTo(first.certificate());
        KeyStore store = second.keyStore();
        assertThat(store.getKey("server", second.keyStorePassword().toCharArray())).isNotNull();
        assertThat(second.toString()).contains("<masked>");
    }

    @Test
    void aCertificateThatDoesNotCoverTheListenAddressIsReplaced() {
        Path crt = dir.resolve("tls/server.crt");
        Path key = dir.resolve("tls/server.key");
        TlsMaterial loopback = TlsMaterial.selfSigned(crt, key, "127.0.0.1");
        TlsMaterial other = TlsMaterial.selfSigned(crt, key, "10.1.2.3");
        assertThat(other.certificate()).isNotEqualTo(loopback.certificate());
        assertThat(TlsMaterial.selfSigned(crt, key, "0.0.0.0").certificate()).isEqualTo(other.certificate());
    }

    @Test
    void aUsersPemFilesArePresentedAndPublishedForTheCli() throws Exception {
        Path crt = dir.resolve("mine.crt");
        Path key = dir.resolve("mine.key");
        TlsMaterial mine = TlsMaterial.selfSigned(crt, key, "db.example.com");
        Path published = dir.resolve("data/tls/server.crt");
        TlsMaterial loaded = TlsMaterial.fromPem(crt, key, published);
        assertThat(loaded.certificate()).isEqualTo(mine.certificate());
        assertThat(Files.readString(published)).isEqualTo(Files.readString(crt));
        assertThatThrownBy(() -> TlsMaterial.fromPem(key, key, published)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No PEM certificate");
    }
}
