package org.pgmigrate.cli.server;

import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServerType;
import org.pgmigrate.cli.client.ServiceOptions;
import org.pgmigrate.cli.output.HelpOption;
import org.pgmigrate.cli.output.OutputOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code server delete}: DELETE of a registration; the PostgreSQL server itself is untouched. */
@Command(name = "delete",
        sortOptions = false,
        description = {"Unregister a server.", "The PostgreSQL server and its data are not touched."},
        footer = {"", "Examples:",
            "  Unregister a source server.",
            "    pgmigrate server delete -g my-learning-rg -n mysource --type single"})
final class ServerDeleteCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    ServiceOptions service;

    @Option(names = {"--name", "-n"}, required = true, paramLabel = "NAME", description = "Name of the server.")
    String name;

    @Option(names = "--type", paramLabel = "TYPE", converter = ServerType.Converter.class,
            description = "${COMPLETION-CANDIDATES}. Default: whichever kind has this name.")
    ServerType type;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        var group = service.resourceGroup();
        ArmClient client = service.connect(output.diagnostics());
        ServerType kind = ServerLookup.find(client, group, name, type).type();
        client.delete(ArmPath.server(group, kind, name));
        output.diagnostics().warning("Unregistered " + kind + " server '" + name + "' of resource group '"
                + group.name() + "'.");
    }
}
