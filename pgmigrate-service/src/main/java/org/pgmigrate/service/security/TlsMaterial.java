package org.pgmigrate.service.security;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate and key the service presents. Either the user's PEM files ({@code --tls-cert}, {@code --tls-key}),
 * or a self-signed certificate generated at first start into {@code tls/server.crt} and {@code tls/server.key}
 * (0600), for localhost, the loopback addresses, this host's name and the listen address. A generated certificate
 * that does not cover the listen address is replaced. The certificate presented is always copied to
 * {@code tls/server.crt}, which is the one certificate the CLI trusts.
 *
 * <p>Immutable once loaded.
 */
public final class TlsMaterial {

    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
    private static final char[] STORE_PASSWORD = "pgmigrate".toCharArray();

    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private TlsMaterial(List<X509Certificate> chain, PrivateKey key) {
        this.chain = List.copyOf(chain);
        this.key = key;
    }

    /** Loads the user's PEM files and publishes the certificate to {@code presentedCopy}. */
    public static TlsMaterial fromPem(Path certificate, Path privateKey, Path presentedCopy) {
        List<X509Certificate> chain = readCertificates(certificate);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("No PEM certificate in " + certificate + " (expected -----BEGIN CERTIFICATE-----).");
        }
        TlsMaterial material = new TlsMaterial(chain, readKey(privateKey));
        PrivateFiles.writePublic(presentedCopy, pem(chain.get(0)).getBytes(StandardCharsets.US_ASCII));
        return material;
    }

    /** Loads the generated certificate, or generates one when absent or not covering {@code listenHost}. */
    public static TlsMaterial selfSigned(Path certificate, Path privateKey, String listenHost) {
        if (Files.exists(certificate) && Files.exists(privateKey)) {
            List<X509Certificate> chain = readCertificates(certificate);
            if (!chain.isEmpty() && covers(chain.get(0), listenHost)
                    && chain.get(0).getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(7)))) {
                return new TlsMaterial(chain, readKey(privateKey));
            }
            LOG.info("The self-signed certificate {} does not cover {} or expires soon; generating a new one.",
                    certificate, listenHost);
        }
        TlsMaterial generated = generate(listenHost);
        PrivateFiles.write(privateKey, pkcs8Pem(generated.key).getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(certificate, pem(generated.chain.get(0)).getBytes(StandardCharsets.US_ASCII));
        LOG.info("Generated a self-signed TLS certificate in {}; clients trust exactly this certificate.", certificate);
        return generated;
    }

    /** An in-memory PKCS12 key store with the key under alias {@code server}, for Jetty. */
    public KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot build the TLS key store: " + e.getMessage(), e);
        }
    }

    public String keyStorePassword() {
        return new String(STORE_PASSWORD);
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    private static TlsMaterial generate(String listenHost) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=pgmigrate service");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).abs(), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(5 * 365))), subject, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(listenHost));
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
            return new TlsMaterial(List.of(cert), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("Cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static GeneralNames subjectAlternativeNames(String listenHost) {
        Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
        Set<String> ips = new LinkedHashSet<>(List.of("127.0.0.1", "::1"));
        try {
            dns.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            // no resolvable host name: localhost and the addresses still work
        }
        if (!isWildcard(listenHost)) {
            if (isIpLiteral(listenHost)) {
                ips.add(listenHost);
            } else {
                dns.add(listenHost.toLowerCase(Locale.ROOT));
            }
        }
        List<GeneralName> names = new ArrayList<>();
        dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        ips.forEach(i -> names.add(new GeneralName(GeneralName.iPAddress, i)));
        return new GeneralNames(names.toArray(new GeneralName[0]));
    }

    private static boolean covers(X509Certificate cert, String listenHost) {
        if (isWildcard(listenHost)) {
            return true;
        }
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            for (List<?> name : names) {
                String value = String.valueOf(name.get(1));
                if (value.equalsIgnoreCase(listenHost) || sameAddress(value, listenHost)) {
                    return true;
                }
            }
            return false;
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    private static boolean sameAddress(String a, String b) {
        if (!isIpLiteral(a) || !isIpLiteral(b)) {
            return false;
        }
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    certs.add(converter.getCertificate(holder));
                }
            }
            return certs;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot read the PEM certificate " + file + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path file) {
        String text = new String(PrivateFiles.read(file), StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(new java.io.StringReader(text))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    // SEC1 "EC PRIVATE KEY" files may omit the public key: read the private part alone
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the PEM private key " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("No unencrypted PEM private key in " + file
                + " (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----). Encrypted keys are not supported.");
    }

    /** PKCS#8 ("BEGIN PRIVATE KEY"), which every PEM reader takes whatever the key's algorithm. */
    private static String pkcs8Pem(PrivateKey key) {
        try {
            return pem(new JcaPKCS8Generator(key, null));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("Cannot encode the private key: " + e.getMessage(), e);
        }
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "TlsMaterial[" + certificate().getSubjectX500Principal() + ", key <masked>]";
    }
}
