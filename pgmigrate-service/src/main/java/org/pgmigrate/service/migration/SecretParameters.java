package org.pgmigrate.service.migration;

/**
 * {@code secretParameters}: the passwords ({@code adminCredentials}) and user names. Write-only on the wire, sealed
 * with AES-GCM in the store, and never in a log: {@link #toString()} masks everything. Any field may be null in a
 * PATCH (meaning "keep the stored value"). Immutable.
 */
public record SecretParameters(String sourceServerPassword, String targetServerPassword, String sourceServerUsername,
                               String targetServerUsername) {

    public static final SecretParameters NONE = new SecretParameters(null, null, null, null);

    /** This PATCH's values where given, else {@code stored}'s. */
    public SecretParameters over(SecretParameters stored) {
        return new SecretParameters(
                sourceServerPassword != null ? sourceServerPassword : stored.sourceServerPassword,
                targetServerPassword != null ? targetServerPassword : stored.targetServerPassword,
                sourceServerUsername != null ? sourceServerUsername : stored.sourceServerUsername,
                targetServerUsername != null ? targetServerUsername : stored.targetServerUsername);
    }

    @Override
    public String toString() {
        return "SecretParameters[<masked>]";
    }
}
