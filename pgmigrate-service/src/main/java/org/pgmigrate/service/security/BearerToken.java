package org.pgmigrate.service.security;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token every request must carry ({@code Authorization: Bearer <token>}). Generated at first start (256
 * random bits, base64url) into the data dir's {@code token} file, mode 0600, one line; read back on later starts.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the token.
 */
public final class BearerToken {

    private static final Logger LOG = LoggerFactory.getLogger(BearerToken.class);

    private final byte[] token;

    private BearerToken(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the token file, or creates it with a fresh random token. */
    public static BearerToken loadOrCreate(Path file) {
        if (Files.exists(file)) {
            String text = new String(PrivateFiles.read(file), StandardCharsets.UTF_8).trim();
            if (text.length() >= 16) {
                return new BearerToken(text);
            }
            LOG.warn("The token in {} is shorter than 16 characters; replacing it with a new random token.", file);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        PrivateFiles.write(file, (text + "\n").getBytes(StandardCharsets.UTF_8));
        LOG.info("Generated a new bearer token in {} (mode 0600); clients read it from there.", file);
        return new BearerToken(text);
    }

    /** Constant-time check of a presented token. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(token, presented.trim().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "BearerToken[<masked>]";
    }
}
