package org.pgmigrate.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;

/**
 * An {@link SSLContext} that trusts exactly the certificate(s) in one PEM file and nothing else: the service's
 * self-signed certificate. The peer's leaf must be byte-for-byte one of them and currently valid. Host names are
 * not checked, because the certificate itself is pinned (the service's certificate for 127.0.0.1 may name only
 * {@code localhost}). Other HTTPS connections of the JVM are unaffected. Thread-safe.
 */
final class PinnedCertificate extends X509ExtendedTrustManager {

    private final Path file;
    private final List<X509Certificate> pinned;

    private PinnedCertificate(Path file, List<X509Certificate> pinned) {
        this.file = file;
        this.pinned = pinned;
    }

    static SSLContext sslContext(Path pemFile) {
        List<X509Certificate> certificates = read(pemFile);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new PinnedCertificate(pemFile, certificates)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    private static List<X509Certificate> read(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in)
                    .stream().map(X509Certificate.class::cast).toList();
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate in the file");
            }
            return certificates;
        } catch (IOException | CertificateException e) {
            throw new CliException(ExitCode.INVALID_INPUT, "Cannot read the service's certificate " + pemFile + ": "
                    + e.getMessage() + ". `pgmigrate serve` writes it at start; restart the service to rewrite it.", e);
        }
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("The service presented no certificate");
        }
        X509Certificate leaf = chain[0];
        for (X509Certificate trusted : pinned) {
            if (Arrays.equals(trusted.getEncoded(), leaf.getEncoded())) {
                leaf.checkValidity();
                return;
            }
        }
        throw new CertificateException("The service presented a certificate (" + leaf.getSubjectX500Principal()
                + ") that is not the one pinned in " + file);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("This trust manager only verifies the service");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("This trust manager only verifies the service");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("This trust manager only verifies the service");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
