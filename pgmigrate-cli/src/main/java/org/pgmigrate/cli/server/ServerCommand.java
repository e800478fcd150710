package org.pgmigrate.cli.server;

import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pgmigrate server}: registers existing PostgreSQL servers as ARM resources migrations can name. */
@Command(name = "server",
        description = {"Manage the PostgreSQL servers migrations read from and write to.",
            "A migration's target is the flexible server named by --name/-n; its source is the server named by the "
                    + "properties file's sourceDbServerResourceId (register it with --type single to use the seed's "
                    + ".../servers/<name> IDs). Registering stores host, port and sslmode, never a password."},
        subcommands = {
            ServerCreateCommand.class,
            ServerListCommand.class,
            ServerShowCommand.class,
            ServerDeleteCommand.class,
            org.pgmigrate.cli.server.parameter.ParameterCommand.class,
        })
public final class ServerCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
