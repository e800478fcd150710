package org.pgmigrate.service.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest with AES-256-GCM under a key kept in a 0600 file of the data dir ({@code secrets.key},
 * generated at first start). A sealed value is {@code v1:} + base64(12-byte IV + ciphertext + tag). The associated
 * data binds a value to its owner (a migration id), so a sealed value copied to another row does not open.
 *
 * <p>Thread-safe (a new {@link Cipher} per call). Losing the key file makes stored secrets unreadable: migrations
 * that need them then fail with a message asking to PATCH {@code secretParameters} again.
 */
public final class SecretBox {

    private static final String PREFIX = "v1:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(byte[] keyBytes) {
        this.key = new SecretKeySpec(keyBytes, "AES");
    }

    /** Opens the key file, or creates it with a fresh 256-bit key. */
    public static SecretBox loadOrCreate(Path keyFile) {
        if (Files.exists(keyFile)) {
            byte[] text = PrivateFiles.read(keyFile);
            byte[] bytes = Base64.getDecoder().decode(new String(text, StandardCharsets.US_ASCII).trim());
            if (bytes.length != 32) {
                throw new IllegalStateException("The secrets key in " + keyFile + " is not a 256-bit key (" + bytes.length
                        + " bytes). Restore the original file; deleting it makes stored passwords unreadable.");
            }
            return new SecretBox(bytes);
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        PrivateFiles.write(keyFile, (Base64.getEncoder().encodeToString(bytes) + "\n").getBytes(StandardCharsets.US_ASCII));
        return new SecretBox(bytes);
    }

    public String seal(String plaintext, String owner) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length)
                    .put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
        }
    }

    /** Decrypts a value sealed for {@code owner}; throws {@link IllegalStateException} when it does not open. */
    public String open(String sealed, String owner) {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            throw new IllegalStateException("Not a sealed secret (expected the " + PREFIX + " prefix).");
        }
        try {
            byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot decrypt the stored secret: the secrets key file does not match the "
                    + "store (was it replaced?). Set secretParameters again with a PATCH.", e);
        }
    }

    @Override
    public String toString() {
        return "SecretBox[AES-256-GCM, key <masked>]";
    }
}
