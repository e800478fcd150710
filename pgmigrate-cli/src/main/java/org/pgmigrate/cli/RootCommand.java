package org.pgmigrate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pgmigrate}: lists the verbs. Each verb is one class in the package named after it. */
@Command(name = "pgmigrate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "PostgreSQL migrations between any two servers (sources 9.5 to 18, targets 11 to 18): the Azure"
                + " migration service's CLI and API, self-hosted.",
        subcommands = {
            org.pgmigrate.cli.migration.MigrationCommand.class,
            org.pgmigrate.cli.server.ServerCommand.class,
            org.pgmigrate.cli.config.ConfigureCommand.class,
            org.pgmigrate.cli.clone.CloneCommand.class,
            org.pgmigrate.cli.clone.DemoCommand.class,
            org.pgmigrate.cli.verify.VerifyCommand.class,
            org.pgmigrate.cli.serve.ServeCommand.class,
            org.pgmigrate.cli.portal.PortalCommand.class,
        })
public final class RootCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
