package org.pgmigrate.cli.server.parameter;

import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServiceOptions;
import org.pgmigrate.cli.output.HelpOption;
import org.pgmigrate.cli.output.OutputOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code server parameter list}: GET of {@code configurations}, every parameter with its value and default. */
@Command(name = "list",
        sortOptions = false,
        description = "List the parameters of a flexible server.",
        footer = {"", "Examples:",
            "  List the parameters and their values.",
            "    pgmigrate server parameter list -g my-learning-rg -s myflexibleserver \\",
            "        --output table"})
final class ParameterListCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Mixin
    ServiceOptions service;

    @Mixin
    ServerNameOption server;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        var group = service.resourceGroup();
        output.print(service.connect(output.diagnostics()).list(ArmPath.configurations(group, server.value)),
                ParameterView::table);
    }
}
