package org.pgmigrate.cli.migration;

import org.pgmigrate.cli.client.ServiceOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The target server a migration belongs to: {@code --subscription}, {@code -g}, {@code --name/-n}, and
 * {@code --data-dir} to find the service.
 */
final class MigrationTargetOptions {

    @Mixin
    ServiceOptions service;

    @Option(names = {"--name", "-n"}, required = true, paramLabel = "NAME",
            description = "Migration target server name.")
    String server;

    /** The flags to repeat in a follow-up command ("-g RG -n SERVER"), for hints. */
    String flags() {
        return "-g " + service.resourceGroup().name() + " -n " + server;
    }
}
