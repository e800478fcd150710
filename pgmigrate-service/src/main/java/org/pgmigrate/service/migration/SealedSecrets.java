package org.pgmigrate.service.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.pgmigrate.service.security.SecretBox;

/** Seals {@link SecretParameters} for the store (JSON, then AES-GCM bound to the migration id), and opens them. Thread-safe. */
public final class SealedSecrets {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SecretBox box;

    public SealedSecrets(SecretBox box) {
        this.box = box;
    }

    public String seal(SecretParameters secrets, String migrationId) {
        try {
            return box.seal(MAPPER.writeValueAsString(secrets), migrationId);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode secret parameters", e);
        }
    }

    /** Seals one secret value for {@code owner} (a source cleanup record's password). */
    public String sealValue(String value, String owner) {
        return box.seal(value, owner);
    }

    /** Opens what {@link #sealValue} sealed for {@code owner}; throws {@link IllegalStateException} otherwise. */
    public String openValue(String sealed, String owner) {
        return box.open(sealed, owner);
    }

    public SecretParameters open(String sealed, String migrationId) {
        if (sealed == null) {
            return SecretParameters.NONE;
        }
        try {
            return MAPPER.readValue(box.open(sealed, migrationId), SecretParameters.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot decode the stored secret parameters of migration " + migrationId, e);
        }
    }
}
