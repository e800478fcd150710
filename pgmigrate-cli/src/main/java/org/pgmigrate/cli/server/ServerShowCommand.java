package org.pgmigrate.cli.server;

import org.pgmigrate.cli.client.ServerType;
import org.pgmigrate.cli.client.ServiceOptions;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code server show}: GET of one registration. */
@Command(name = "show",
        sortOptions = false,
        description = "Get the details of a registered server.",
        footer = {"", "Examples:",
            "  Get the details of a server.",
            "    pgmigrate server show -g my-learning-rg -n myflexibleserver"})
final class ServerShowCommand implements Runnable {

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
        var found = ServerLookup.find(service.connect(output.diagnostics()), group, name, type);
        output.print(found.server(), ServerView::table);
    }
}
