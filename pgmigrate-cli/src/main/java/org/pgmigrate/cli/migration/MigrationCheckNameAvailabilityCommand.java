package org.pgmigrate.cli.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.Table;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code migration check-name-availability}: POST checkMigrationNameAvailability. */
@Command(name = "check-name-availability",
        sortOptions = false,
        description = "Checks if the provided migration-name can be used.",
        footer = {"", "Examples:",
            "  Check if the provided migration-name is available for your migration.",
            "    pgmigrate migration check-name-availability -g testGroup -n testserver \\",
            "        --migration-name testmigration"})
final class MigrationCheckNameAvailabilityCommand implements Runnable {

    static final String RESOURCE_TYPE = "Microsoft.DBforPostgreSQL/flexibleServers/migrations";

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    MigrationTargetOptions target;

    @Mixin
    MigrationNameOption migrationName;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        ArmPath path = ArmPath.checkMigrationNameAvailability(target.service.resourceGroup(), target.server);
        ObjectNode body = Json.mapper().createObjectNode().put("name", migrationName.value).put("type", RESOURCE_TYPE);
        JsonNode answer = target.service.connect(output.diagnostics()).post(path, body);
        output.print(answer, a -> Table
                .withColumns("Name", "NameAvailable", "Reason", "Message")
                .row(Json.text(a, "name"), Json.text(a, "nameAvailable"), Json.text(a, "reason"),
                        Json.text(a, "message"))
                .render());
    }
}
