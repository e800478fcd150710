package org.pgmigrate.cli.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServerType;
import org.pgmigrate.cli.client.ServiceOptions;
import org.pgmigrate.cli.config.ResourceGroup;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code server list}: the registered servers of a resource group, flexible then single. */
@Command(name = "list",
        sortOptions = false,
        description = "List the servers registered in a resource group.",
        footer = {"", "Examples:",
            "  List the servers in a resource group.",
            "    pgmigrate server list -g my-learning-rg --output table"})
final class ServerListCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    ServiceOptions service;

    @Option(names = "--type", paramLabel = "TYPE", converter = ServerType.Converter.class,
            description = "List only this kind: ${COMPLETION-CANDIDATES}. Default: both.")
    ServerType type;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        ResourceGroup group = service.resourceGroup();
        ArmClient client = service.connect(output.diagnostics());
        ArrayNode all = Json.mapper().createArrayNode();
        for (ServerType candidate : ServerType.values()) {
            if (type == null || type == candidate) {
                all.addAll(client.list(ArmPath.servers(group, candidate)));
            }
        }
        output.print(all, ServerView::table);
    }
}
