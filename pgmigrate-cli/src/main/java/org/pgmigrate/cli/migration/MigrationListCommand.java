package org.pgmigrate.cli.migration;

import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.config.ResourceGroup;
import org.pgmigrate.cli.output.MigrationView;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code migration list}: GET of the target server's migrations, every page. */
@Command(name = "list",
        sortOptions = false,
        description = "List the migrations of a flexible server.",
        footer = {"", "Examples:",
            "  List the currently active migrations of a target flexible server.",
            "    pgmigrate migration list -g testGroup -n testserver --filter Active",
            "  List all (Active/Completed) migrations of a target flexible server.",
            "    pgmigrate migration list -g testGroup -n testserver --filter All"})
final class MigrationListCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    MigrationTargetOptions target;

    @Option(names = "--filter", paramLabel = "FILTER", converter = ListFilter.Converter.class, defaultValue = "Active",
            description = "Indicate whether all the migrations or just the Active migrations are returned. "
                    + "Valid values are: Active and All. Default: ${DEFAULT-VALUE}.")
    ListFilter filter;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        ResourceGroup group = target.service.resourceGroup();
        var migrations = target.service.connect(output.diagnostics())
                .list(ArmPath.migrations(group, target.server).with("migrationListFilter", filter.toString()));
        output.print(migrations, MigrationView::list);
    }
}
