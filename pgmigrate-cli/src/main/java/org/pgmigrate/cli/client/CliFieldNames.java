package org.pgmigrate.cli.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says where a CLI user sets a field that a service error names by its REST name: the service's messages stay ARM's
 * (they speak of {@code administratorLogin}, {@code secretParameters.sourceServerUsername}), and the CLI adds, for
 * each field it finds in the message or the error's {@code target}, the flag or the properties file key. The one
 * table of REST field to CLI spelling. Stateless.
 */
final class CliFieldNames {

    private static final String FILE = "of the --properties file (pgmigrate migration create)";
    private static final String SERVER_CREATE = "of `pgmigrate server create`";

    /** Fields recognised wherever a message names them: their names are camelCase, never ordinary words. */
    private static final Map<String, String> NAMED = new LinkedHashMap<>();
    /** Fields whose names are ordinary words: recognised only as the error's {@code target}. */
    private static final Map<String, String> AS_TARGET = new LinkedHashMap<>();

    static {
        NAMED.put("administratorLogin", "--admin-user " + SERVER_CREATE);
        NAMED.put("fullyQualifiedDomainName", "--host " + SERVER_CREATE);
        NAMED.put("restartCommand", "--restart-command " + SERVER_CREATE);
        NAMED.put("sslRootCertificate", "--ssl-root-cert " + SERVER_CREATE);
        NAMED.put("sourceDbServerResourceId", "key \"sourceDbServerResourceId\" " + FILE);
        NAMED.put("sourceDbServerFullyQualifiedDomainName", "key \"sourceDbServerFullyQualifiedDomainName\" " + FILE);
        NAMED.put("targetDbServerFullyQualifiedDomainName", "key \"targetDbServerFullyQualifiedDomainName\" " + FILE);
        NAMED.put("secretParameters", "key \"secretParameters\" " + FILE);
        NAMED.put("secretParameters.sourceServerUsername", "key \"sourceServerUserName\" in \"secretParameters\" "
                + FILE + ", or --admin-user " + SERVER_CREATE + " for the source");
        NAMED.put("secretParameters.targetServerUsername", "key \"targetServerUserName\" in \"secretParameters\" "
                + FILE + ", or --admin-user " + SERVER_CREATE + " for the target");
        NAMED.put("sourceServerPassword", "key \"sourceServerPassword\" in \"secretParameters\": "
                + "{\"adminCredentials\": ...} " + FILE);
        NAMED.put("targetServerPassword", "key \"targetServerPassword\" in \"secretParameters\": "
                + "{\"adminCredentials\": ...} " + FILE);
        NAMED.put("dbsToMigrate", "key \"dbsToMigrate\" " + FILE);
        NAMED.put("overwriteDbsInTarget", "key \"overwriteDbsInTarget\" " + FILE
                + ", or `pgmigrate migration update --overwrite-dbs`");
        NAMED.put("setupLogicalReplicationOnSourceDbIfNeeded", "key \"setupLogicalReplicationOnSourceDbIfNeeded\" "
                + FILE + ", or `pgmigrate migration update --setup-replication`");
        NAMED.put("sourceType", "key \"sourceType\" " + FILE);
        NAMED.put("sslMode", "key \"sslMode\" " + FILE + " (a migration's), or --sslmode " + SERVER_CREATE
                + " (a server's)");
        NAMED.put("migrationInstanceResourceId", "key \"migrationRuntimeResourceId\" " + FILE);
        NAMED.put("migrationWindowStartTimeInUtc", "key \"migrationWindowStartTimeInUtc\" " + FILE);
        NAMED.put("migrationWindowEndTimeInUtc", "key \"migrationWindowEndTimeInUtc\" " + FILE);
        NAMED.put("migrateRoles", "key \"migrateRoles\" " + FILE);
        NAMED.put("startDataMigration", "key \"startDataMigration\" " + FILE
                + ", or `pgmigrate migration update --start-data-migration`");
        NAMED.put("allowReplicaIdentityFull", "--allow-replica-identity-full of `pgmigrate migration create`, or key "
                + "\"allowReplicaIdentityFull\" " + FILE);
        NAMED.put("migrationMode", "--migration-mode of `pgmigrate migration create`");
        NAMED.put("migrationOption", "--migration-option of `pgmigrate migration create`");
        NAMED.put("migrationName", "--migration-name");
        NAMED.put("serverName", "--name (-n), the target server");
        NAMED.put("triggerCutover", "--cutover of `pgmigrate migration update`");
        NAMED.put("migrationListFilter", "--filter of `pgmigrate migration list`");
        AS_TARGET.put("port", "--port " + SERVER_CREATE);
        AS_TARGET.put("cancel", "--cancel of `pgmigrate migration update`");
    }

    /** A dotted camelCase name, such as {@code properties.secretParameters.sourceServerUsername}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:\\.[A-Za-z][A-Za-z0-9]*)*");

    private CliFieldNames() {
    }

    /** One line per field named, in the order named: {@code administratorLogin: --admin-user of ...}. */
    static List<String> hints(String message, String target) {
        Set<String> fields = new LinkedHashSet<>();
        Matcher m = NAME.matcher(message == null ? "" : message);
        while (m.find()) {
            String name = withoutPropertiesPrefix(m.group());
            if (NAMED.containsKey(name)) {
                fields.add(name);
            }
        }
        if (target != null) {
            String name = withoutPropertiesPrefix(target);
            if (NAMED.containsKey(name) || AS_TARGET.containsKey(name)) {
                fields.add(name);
            }
        }
        List<String> lines = new ArrayList<>();
        for (String field : fields) {
            lines.add(field + ": " + NAMED.getOrDefault(field, AS_TARGET.get(field)));
        }
        return lines;
    }

    private static String withoutPropertiesPrefix(String name) {
        return name.startsWith("properties.") ? name.substring("properties.".length()) : name;
    }
}
