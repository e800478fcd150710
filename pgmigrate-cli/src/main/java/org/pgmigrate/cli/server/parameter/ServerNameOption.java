package org.pgmigrate.cli.server.parameter;

import picocli.CommandLine.Option;

/**
 * The flexible server whose parameters a command reads or sets. az spells it {@code --server-name/-s}; pgmigrate's
 * other server commands name a server with {@code -n}, so {@code -n} is accepted too (and {@code --name} is the
 * parameter, as in az).
 */
final class ServerNameOption {

    @Option(names = {"--server-name", "-s", "-n"}, required = true, paramLabel = "SERVER",
            description = "Name of the flexible server (registered with pgmigrate server create).")
    String value;
}
