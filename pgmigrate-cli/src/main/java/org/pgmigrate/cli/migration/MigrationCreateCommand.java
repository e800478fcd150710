package org.pgmigrate.cli.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServerType;
import org.pgmigrate.cli.client.Tags;
import org.pgmigrate.cli.config.Defaults;
import org.pgmigrate.cli.config.ResourceGroup;
import org.pgmigrate.cli.output.Diagnostics;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.MigrationView;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code migration create}: PUT of the migration resource built from the properties file and the flags. */
@Command(name = "create",
        sortOptions = false,
        description = {"Create a new migration workflow for a flexible server.",
            "Start a migration workflow on the target server identified by the parameters. The configurations of the "
                    + "migration should be specified in the properties file."},
        footer = {"", "The properties file (a sample: examples/migrationBody.json in pgmigrate's",
            "sources): only its top-level \"properties\" object is read; keys may be in any",
            "case; \"true\"/\"false\" values in any case.",
            "  {\"properties\": {",
            "    \"sourceDbServerResourceId\": \"<source server ID>\",",
            "    \"secretParameters\": {",
            "      \"adminCredentials\": {\"sourceServerPassword\": \"<password>\",",
            "                           \"targetServerPassword\": \"<password>\"},",
            "      \"sourceServerUserName\": \"<username>\",",
            "      \"targetServerUserName\": \"<username>\"},",
            "    \"dbsToMigrate\": [\"<db1>\", \"<db2>\"],",
            "    \"overwriteDbsInTarget\": \"true\"}}",
            "<source server ID> is the id of a source registered with --type single,",
            "which this prints (here for the source mysource):",
            "    pgmigrate server show -n mysource --type single --query id -o tsv",
            "or it is <host or IP>:<port>@<username> (then also give \"sourceType\":",
            "\"OnPremises\" and \"sslMode\": \"Prefer\"). The user names may be left out when",
            "the servers were registered with `pgmigrate server create --admin-user`.",
            "Optional keys: setupLogicalReplicationOnSourceDbIfNeeded, sourceType, sslMode,",
            "sourceDbServerFullyQualifiedDomainName, targetDbServerFullyQualifiedDomainName,",
            "migrationRuntimeResourceId, and (not read by az) migrateRoles,",
            "startDataMigration, migrationWindowStartTimeInUtc, migrationWindowEndTimeInUtc,",
            "allowReplicaIdentityFull.",
            "",
            "Examples:",
            "  Start a migration workflow on the target server identified by the",
            "  parameters. The configurations of the migration should be specified in the",
            "  properties file.",
            "    pgmigrate migration create -g testGroup -n testserver \\",
            "        --migration-name testmigration --properties \"path_to_json_file\"",
            "  Use --migration-mode online for Online(with CDC) migration. Use",
            "  migration-option Validate for validate only request.",
            "    pgmigrate migration create -g testGroup -n testserver \\",
            "        --migration-name testmigration --properties \"path_to_json_file\" \\",
            "        --migration-mode online --migration-option Validate",
            "  Use --migration-option Migrate for Migrate Only request.",
            "    pgmigrate migration create -g testGroup -n testserver \\",
            "        --migration-name testmigration --properties \"path_to_json_file\" \\",
            "        --migration-option Migrate"})
final class MigrationCreateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    MigrationTargetOptions target;

    @Option(names = "--migration-name", paramLabel = "NAME", preprocessor = AttachedValue.class,
            description = "Name of the migration. Alphanumeric characters and hyphens, not starting with a hyphen. "
                    + "Default: a new UUID.")
    String migrationName;

    @Option(names = {"--properties", "-b"}, required = true, paramLabel = "FILE",
            description = "Request properties. Use double or no quotes to pass in json filepath as argument.")
    String properties;

    @Option(names = "--migration-mode", paramLabel = "MODE", defaultValue = "offline",
            converter = MigrationMode.Converter.class,
            description = "Either offline or online(with CDC) migration. Allowed values: ${COMPLETION-CANDIDATES}. "
                    + "Default: ${DEFAULT-VALUE}.")
    MigrationMode migrationMode;

    @Option(names = "--allow-replica-identity-full",
            description = "Online: let pgmigrate set REPLICA IDENTITY FULL on source tables that have no primary key "
                    + "and no replica identity (their UPDATEs and DELETEs then write more WAL on the source). Without "
                    + "it such tables fail the migration before anything is created. Sets the property "
                    + "allowReplicaIdentityFull.")
    boolean allowReplicaIdentityFull;

    @Option(names = "--migration-option", paramLabel = "OPTION", converter = MigrationOption.Converter.class,
            description = "Supported Migration Option. Default is ValidateAndMigrate. Allowed values: "
                    + "${COMPLETION-CANDIDATES}.")
    MigrationOption migrationOption;

    @Option(names = {"--location", "-l"}, paramLabel = "LOCATION",
            description = "Location. Default: `pgmigrate configure --defaults location=<location>`, else the "
                    + "target server's location.")
    String location;

    @Option(names = "--tags", arity = "1..*", paramLabel = "KEY[=VALUE]",
            description = "Space-separated tags: key[=value] [key[=value] ...]. Use \"\" to clear existing tags.")
    List<String> tags;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        Diagnostics log = output.diagnostics();
        PropertiesFile.Parsed parsed = PropertiesFile.read(Path.of("").toAbsolutePath(), properties);
        parsed.ignoredKeys().forEach(key -> log.warning("Key '" + key + "' of the properties file is not "
                + "read and is ignored (see `pgmigrate migration create --help` for the keys)."));
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode props = parsed.properties();
        props.put("migrationMode", migrationMode.wireValue());
        if (migrationOption != null) {
            props.put("migrationOption", migrationOption.toString());
        }
        if (allowReplicaIdentityFull) {
            props.put("allowReplicaIdentityFull", "True");
        }
        if (tags != null) {
            body.set("tags", Tags.parse(tags));
        }
        ResourceGroup group = target.service.resourceGroup();
        ArmClient client = target.service.connect(log);
        locationFor(client, group).ifPresent(l -> body.put("location", l));
        body.set("properties", props);
        String name = migrationName != null ? migrationName : UUID.randomUUID().toString();
        JsonNode created = client.put(ArmPath.migration(group, target.server, name), body);
        output.print(created, m -> MigrationView.detail(m, ""));
    }

    // As az's generate_missing_parameters: the flag, the configured default, else the target server's location.
    private java.util.Optional<String> locationFor(ArmClient client, ResourceGroup group) {
        java.util.Optional<String> configured = target.service.defaults().resolve(Defaults.Key.LOCATION, location);
        if (configured.isPresent()) {
            return configured;
        }
        return client.find(ArmPath.server(group, ServerType.FLEXIBLE, target.server))
                .map(server -> Json.text(server, "location")).filter(l -> !l.isEmpty());
    }
}
