package org.pgmigrate.cli.server.parameter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServiceOptions;
import org.pgmigrate.cli.output.HelpOption;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.OutputOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code server parameter set}: PUT of {@code configurations/{name}}; without {@code --value}, back to the default. */
@Command(name = "set",
        sortOptions = false,
        description = "Update the parameter of a flexible server.",
        footer = {"", "Examples:",
            "  Copy tables larger than 2 GiB in parts.",
            "    pgmigrate server parameter set -g my-learning-rg -s myflexibleserver \\",
            "        --name azure.migration_table_split_size --value 2048",
            "  Put a parameter back to its default.",
            "    pgmigrate server parameter set -g my-learning-rg -s myflexibleserver \\",
            "        --name azure.migration_copy_with_binary"})
final class ParameterSetCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Mixin
    ServiceOptions service;

    @Mixin
    ServerNameOption server;

    @Option(names = "--name", required = true, paramLabel = "PARAMETER",
            description = "The parameter, e.g. azure.migration_table_split_size.")
    String name;

    @Option(names = {"--value", "-v"}, paramLabel = "VALUE",
            description = "Value of the parameter. Without it, the parameter goes back to its default.")
    String value;

    @Option(names = "--source", paramLabel = "SOURCE",
            description = "Source of the value: user-override (the default with --value) or system-default.")
    String source;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        var group = service.resourceGroup();
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode props = body.putObject("properties");
        if (value != null) {
            props.put("value", value);
        }
        props.put("source", source != null ? source : value != null ? "user-override" : "system-default");
        var changed = service.connect(output.diagnostics()).put(ArmPath.configurations(group, server.value).child(name),
                body);
        output.print(changed, ParameterView::table);
    }
}
