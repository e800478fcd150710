package org.pgmigrate.cli.client;

import org.pgmigrate.cli.config.DataDir;
import org.pgmigrate.cli.config.DataDirOption;
import org.pgmigrate.cli.config.Defaults;
import org.pgmigrate.cli.config.Environment;
import org.pgmigrate.cli.config.ResourceGroup;
import org.pgmigrate.cli.config.ResourceGroupOptions;
import org.pgmigrate.cli.output.Diagnostics;
import picocli.CommandLine.Mixin;

/**
 * The options every command that calls the service shares: {@code --data-dir}, {@code --subscription} and
 * {@code --resource-group/-g}. A command checks its own flags first, then resolves the scope, then connects,
 * so that a usage mistake is reported even when the service is down.
 */
public final class ServiceOptions {

    @Mixin
    DataDirOption dataDir;

    @Mixin
    ResourceGroupOptions resourceGroup;

    private final Environment env = Environment.system();

    public DataDir dataDir() {
        return dataDir.resolve(env);
    }

    /** The subscription and resource group from the flags, the environment or the defaults file. */
    public ResourceGroup resourceGroup() {
        return resourceGroup.resolve(defaults());
    }

    public Defaults defaults() {
        return Defaults.load(dataDir(), env);
    }

    /** A client of the service, tracing its requests to {@code log} as the command's verbosity asks. */
    public ArmClient connect(Diagnostics log) {
        return ArmClient.connect(dataDir(), env, log);
    }
}
