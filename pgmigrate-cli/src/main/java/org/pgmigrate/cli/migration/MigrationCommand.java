package org.pgmigrate.cli.migration;

import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pgmigrate migration}: az's {@code az postgres flexible-server migration} group. */
@Command(name = "migration",
        description = "Manage migration workflows for PostgreSQL Flexible Servers.",
        subcommands = {
            MigrationCreateCommand.class,
            MigrationListCommand.class,
            MigrationShowCommand.class,
            MigrationUpdateCommand.class,
            MigrationCheckNameAvailabilityCommand.class,
            MigrationDeleteCommand.class,
        },
        footer = {"", "Register the target server first:",
            "  pgmigrate server create -g RG -n NAME --host HOST --port PORT",
            "Set defaults once to drop -g and --subscription from every command:",
            "  pgmigrate configure --defaults group=RG subscription=ID"})
public final class MigrationCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
