package org.pgmigrate.service;

import org.pgmigrate.testkit.cluster.PgCluster;

/** Request bodies in the seed's shape, for tests. */
public final class MigrationBodies {

    private MigrationBodies() {
    }

    /** The seed's properties file: host:port@user source, passwords, dbsToMigrate, overwrite. */
    public static String seedShape(PgCluster source, PgCluster target, String sourcePassword, boolean overwrite,
                                   String... dbs) {
        return """
                { "properties": {
                    "sourceDBServerResourceId": "%s:%d@%s",
                    "secretParameters": {
                      "adminCredentials": { "sourceServerPassword": "%s", "targetServerPassword": "%s" },
                      "sourceServerUserName": "%s", "targetServerUserName": "%s" },
                    "dBsToMigrate": [%s],
                    "overwriteDbsInTarget": "%s", "sourceType": "OnPremises", "sslMode": "Prefer" } }"""
                .formatted(source.host(), source.port(), source.superuser(), sourcePassword, target.password(),
                        source.superuser(), target.superuser(), quoted(dbs), overwrite ? "true" : "false");
    }

    /**
     * An online migration in the seed's shape, with {@code migrationOption} (Migrate skips validation) and the
     * extra property allowReplicaIdentityFull.
     */
    public static String online(PgCluster source, PgCluster target, String option, boolean allowReplicaIdentityFull,
                                String... dbs) {
        return """
                { "properties": {
                    "sourceDBServerResourceId": "%s:%d@%s",
                    "secretParameters": {
                      "adminCredentials": { "sourceServerPassword": "%s", "targetServerPassword": "%s" },
                      "sourceServerUserName": "%s", "targetServerUserName": "%s" },
                    "dBsToMigrate": [%s], "migrationMode": "Online", "migrationOption": "%s",
                    "allowreplicaidentityfull": "%s",
                    "overwriteDbsInTarget": "true", "sourceType": "OnPremises", "sslMode": "Prefer" } }"""
                .formatted(source.host(), source.port(), source.superuser(), source.password(), target.password(),
                        source.superuser(), target.superuser(), quoted(dbs), option,
                        allowReplicaIdentityFull ? "true" : "False");
    }

    static String quoted(String... dbs) {
        StringBuilder s = new StringBuilder();
        for (String db : dbs) {
            if (!s.isEmpty()) {
                s.append(", ");
            }
            s.append('"').append(db).append('"');
        }
        return s.toString();
    }
}
