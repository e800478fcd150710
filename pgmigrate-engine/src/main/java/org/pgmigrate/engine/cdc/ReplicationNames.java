package org.pgmigrate.engine.cdc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The names of one migration's replication objects for one database: the source's publication and logical slot and
 * the target's replication origin all share {@link #slot()}. They are {@code pgmigrate_<migration>_<hash>}, where
 * the hash covers the full migration id and database name: two migrations from one source, or two databases of one
 * migration, never collide, and a name is always a valid slot name (lower case, digits, underscore, at most 63
 * bytes).
 */
public record ReplicationNames(String slot, String publication, String origin) {

    private static final int MAX_NAME_BYTES = 63;

    public static ReplicationNames of(String migrationId, String database) {
        if (migrationId == null || migrationId.isBlank()) {
            throw new IllegalArgumentException("migrationId must not be empty");
        }
        if (database == null || database.isEmpty()) {
            throw new IllegalArgumentException("database must not be empty");
        }
        String readable = migrationId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String hash = hash(migrationId + '\0' + database);
        String prefix = "pgmigrate_";
        int room = MAX_NAME_BYTES - prefix.length() - 1 - hash.length();
        if (readable.length() > room) {
            readable = readable.substring(0, room);
        }
        String name = prefix + readable + "_" + hash;
        return new ReplicationNames(name, name, name);
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
