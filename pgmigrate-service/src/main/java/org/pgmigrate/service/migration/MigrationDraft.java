package org.pgmigrate.service.migration;

import java.util.Map;

/** A PUT's content: what a new migration is made of. {@code location} may be null (the target's is used). */
public record MigrationDraft(String location, Map<String, String> tags, MigrationSpec spec, SecretParameters secrets) {

    @Override
    public String toString() {
        return "MigrationDraft[" + spec.dbsToMigrate() + ", secrets <masked>]";
    }
}
