package org.pgmigrate.cli.server.parameter;

import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pgmigrate server parameter}: az's {@code az postgres flexible-server parameter} for registered servers. */
@Command(name = "parameter",
        description = {"Manage the parameters of a flexible server (a migration's target).",
            "Migrations read the parameters of their target server when each database starts, as Azure's migration "
                    + "service reads azure.migration_*: binary copy, table split size, skipping ANALYZE or roles, "
                    + "and pgmigrate's job counts. `pgmigrate server parameter list` shows them all with their "
                    + "defaults."},
        subcommands = {
            ParameterSetCommand.class,
            ParameterShowCommand.class,
            ParameterListCommand.class,
        })
public final class ParameterCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
