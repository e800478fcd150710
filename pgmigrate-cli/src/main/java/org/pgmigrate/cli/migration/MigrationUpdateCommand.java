package org.pgmigrate.cli.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.MigrationView;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migration update}: one PATCH that moves the migration on. Exactly one operation per call, as in az;
 * {@code update cancel} (the seed's form) is {@code update --cancel}. {@code --databases} (pgmigrate's) narrows a
 * cutover or a cancel to some databases ({@code dbsToTriggerCutoverOn}, {@code dbsToCancelMigrationOn}).
 */
@Command(name = "update",
        sortOptions = false,
        description = {"Update a specific migration.",
            "Exactly one operation: --setup-replication, --cutover, --cancel, --overwrite-dbs or "
                    + "--start-data-migration. `update cancel` is the same as `update --cancel`. --cutover and "
                    + "--cancel take --databases to apply to some databases only."},
        footer = {"", "Examples:",
            "  Allow the migration workflow to setup logical replication on the source.",
            "  Note that this command will restart the source server.",
            "    pgmigrate migration update -g testGroup -n testserver \\",
            "        --migration-name testmigration --setup-replication",
            "  Cut-over the data migration for all the databases involved in the",
            "  migration. After this is complete, subsequent updates to all databases in",
            "  the migration will not be migrated to the target. Cutover migration can",
            "  only be triggered for migration_mode=Online.",
            "    pgmigrate migration update -g testGroup -n testserver \\",
            "        --migration-name testmigration --cutover",
            "  Cut over only the databases db1 and db2 (a pgmigrate extension); the",
            "  other databases of the migration keep replicating until their cutover.",
            "    pgmigrate migration update -g testGroup -n testserver \\",
            "        --migration-name testmigration --cutover --databases db1 db2",
            "  Cancels the data migration for all the databases involved in the",
            "  migration. Only 'InProgress' migration can be cancelled. What was already",
            "  copied stays on the target server: drop it there if you don't want it.",
            "    pgmigrate migration update cancel -g testGroup -n testserver \\",
            "        --migration-name testmigration",
            "  Overwrite databases that already exist on the target (the migration waits",
            "  in WaitingForTargetDBOverwriteConfirmation when overwriteDbsInTarget is",
            "  false and a database exists).",
            "    pgmigrate migration update -g testGroup -n testserver \\",
            "        --migration-name testmigration --overwrite-dbs"})
final class MigrationUpdateCommand implements Runnable {

    static final String ONLY_ONE = "Incorrect Usage: Can only specify one update operation.";
    static final String AT_LEAST_ONE = "Incorrect Usage: At least one update operation needs to be specified.";

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(arity = "0..1", paramLabel = "cancel",
            description = "`cancel`: the seed's spelling of --cancel.")
    String operation;

    @Mixin
    MigrationTargetOptions target;

    @Mixin
    MigrationNameOption migrationName;

    @Option(names = "--setup-replication",
            description = "Allow the migration workflow to setup logical replication on the source. Note that this "
                    + "command will restart the source server.")
    boolean setupReplication;

    @Option(names = "--cutover",
            description = "Cut-over the data migration for all the databases in the migration. After this is "
                    + "complete, subsequent updates to all databases will not be migrated to the target.")
    boolean cutover;

    @Option(names = "--cancel", description = "Cancel the data migration for all the databases.")
    boolean cancel;

    @Option(names = "--databases", arity = "1..*", split = ",", paramLabel = "DB",
            description = "pgmigrate extension, with --cutover or --cancel: only these databases of the migration "
                    + "(space- or comma-separated; names from dbsToMigrate); the others go on replicating or "
                    + "migrating. Without it, the operation applies to all of them, as in az.")
    List<String> databases;

    @Option(names = "--overwrite-dbs",
            description = "Allow the migration workflow to overwrite the DB on the target.")
    boolean overwriteDbs;

    @Option(names = "--start-data-migration",
            description = "This command helps in starting the data migration immediately between the source and "
                    + "target. Any migration scheduled for a future date and time will be cancelled.")
    boolean startDataMigration;

    @Mixin
    OutputOption output;

    /** The operations of an update; az lets a call carry exactly one. */
    enum Operation { SETUP_REPLICATION, CUTOVER, CANCEL, OVERWRITE_DBS, START_DATA_MIGRATION }

    @Override
    public void run() {
        Operation op = operation();
        ArmPath path = ArmPath.migration(target.service.resourceGroup(), target.server, migrationName.value);
        ArmClient client = target.service.connect(output.diagnostics());
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode props = body.putObject("properties");
        switch (op) {
            case SETUP_REPLICATION -> props.put("setupLogicalReplicationOnSourceDbIfNeeded", "True");
            case OVERWRITE_DBS -> props.put("overwriteDbsInTarget", "True");
            case START_DATA_MIGRATION -> props.put("startDataMigration", "True");
            case CUTOVER -> {
                JsonNode migration = client.get(path);
                if (Json.text(migration, "properties", "migrationMode").equalsIgnoreCase("Offline")) {
                    throw CliException.invalidInput("Cutover is not possible for migration " + migrationName.value
                            + " if the migration_mode set to offline. The migration will cutover automatically");
                }
                props.put("triggerCutover", "True");
                chosenDatabases(migration, props, "dbsToTriggerCutoverOn");
            }
            case CANCEL -> {
                JsonNode migration = client.get(path);
                props.put("cancel", "True");
                chosenDatabases(migration, props, "dbsToCancelMigrationOn");
            }
            default -> throw new IllegalStateException("Unhandled update operation " + op);
        }
        JsonNode updated = client.patch(path, body);
        output.print(updated, m -> MigrationView.detail(m, ""));
        if (op == Operation.CANCEL) {
            output.diagnostics().warning("Cancel stops the migration but doesn't drop or roll back what it copied to "
                    + "the target server; drop those databases there if you don't want them.");
        }
    }

    /**
     * The databases the operation applies to: those --databases names, checked against the migration's dbsToMigrate
     * before anything is sent; without it, as az, every database of the migration, named explicitly.
     */
    private void chosenDatabases(JsonNode migration, ObjectNode props, String field) {
        JsonNode dbs = migration.path("properties").path("dbsToMigrate");
        if (databases == null) {
            if (dbs.isArray()) {
                props.set(field, dbs);
            }
            return;
        }
        List<String> known = new ArrayList<>();
        dbs.forEach(db -> known.add(db.asText()));
        List<String> unknown = databases.stream().filter(db -> !known.contains(db)).distinct().toList();
        if (!unknown.isEmpty()) {
            throw CliException.invalidInput("--databases names " + quoted(unknown) + ", which "
                    + (unknown.size() == 1 ? "is" : "are") + " not in migration " + migrationName.value
                    + "'s databases (dbsToMigrate: " + quoted(known) + "). Name databases from that list; names are "
                    + "case-sensitive.");
        }
        props.putArray(field).addAll(databases.stream().distinct().map(props::textNode).toList());
    }

    private static String quoted(List<String> names) {
        return String.join(", ", names.stream().map(n -> "'" + n + "'").toList());
    }

    /** The one operation asked for, checked before anything is sent. */
    Operation operation() {
        if (operation != null && !operation.equalsIgnoreCase("cancel")) {
            throw CliException.invalidInput("Unknown update operation '" + operation + "'. Use `update cancel` or one "
                    + "of --setup-replication, --cutover, --cancel, --overwrite-dbs, --start-data-migration.");
        }
        List<Operation> chosen = new ArrayList<>();
        if (setupReplication) {
            chosen.add(Operation.SETUP_REPLICATION);
        }
        if (cutover) {
            chosen.add(Operation.CUTOVER);
        }
        if (cancel || operation != null) {
            chosen.add(Operation.CANCEL);
        }
        if (overwriteDbs) {
            chosen.add(Operation.OVERWRITE_DBS);
        }
        if (startDataMigration) {
            chosen.add(Operation.START_DATA_MIGRATION);
        }
        // `update cancel --cancel` says the same thing twice: still one operation.
        if (chosen.size() > 1) {
            throw CliException.invalidInput(ONLY_ONE);
        }
        if (chosen.isEmpty()) {
            throw CliException.invalidInput(AT_LEAST_ONE);
        }
        if (databases != null && chosen.get(0) != Operation.CUTOVER && chosen.get(0) != Operation.CANCEL) {
            throw CliException.invalidInput("--databases applies only to --cutover and --cancel; the other "
                    + "operations apply to the whole migration. Drop --databases.");
        }
        if (databases != null && databases.stream().anyMatch(String::isBlank)) {
            throw CliException.invalidInput("--databases has an empty name. Give database names from the migration's "
                    + "dbsToMigrate, separated by spaces or commas.");
        }
        return chosen.get(0);
    }
}
