package org.pgmigrate.cli.server.parameter;

import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServiceOptions;
import org.pgmigrate.cli.output.HelpOption;
import org.pgmigrate.cli.output.OutputOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code server parameter show}: GET of {@code configurations/{name}}. */
@Command(name = "show",
        sortOptions = false,
        description = "Get the parameter of a flexible server.",
        footer = {"", "Examples:",
            "  Get the table split size.",
            "    pgmigrate server parameter show -g my-learning-rg -s myflexibleserver \\",
            "        --name azure.migration_table_split_size"})
final class ParameterShowCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Mixin
    ServiceOptions service;

    @Mixin
    ServerNameOption server;

    @Option(names = "--name", required = true, paramLabel = "PARAMETER", description = "The parameter.")
    String name;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        var group = service.resourceGroup();
        var parameter = service.connect(output.diagnostics()).get(ArmPath.configurations(group, server.value).child(name));
        output.print(parameter, ParameterView::table);
    }
}
