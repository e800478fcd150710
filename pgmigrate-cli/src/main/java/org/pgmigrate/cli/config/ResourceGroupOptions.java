package org.pgmigrate.cli.config;

import org.pgmigrate.cli.CliException;
import picocli.CommandLine.Option;

/**
 * {@code --subscription} and {@code --resource-group/-g}, as in az. Either may come from
 * {@code pgmigrate configure --defaults} or {@code PGMIGRATE_DEFAULTS_*} instead.
 */
public final class ResourceGroupOptions {

    /**
     * The subscription used when none is given or configured. A self-hosted service has no accounts to take a
     * subscription from (az uses the logged-in account's); the ID only namespaces resources.
     */
    public static final String LOCAL_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

    @Option(names = "--subscription", paramLabel = "ID",
            description = "ID of the subscription. You can configure the default subscription using "
                    + "`pgmigrate configure --defaults subscription=<id>`. Default: " + LOCAL_SUBSCRIPTION + ".")
    String subscription;

    @Option(names = {"--resource-group", "-g"}, paramLabel = "NAME",
            description = "Name of resource group. You can configure the default group using "
                    + "`pgmigrate configure --defaults group=<name>`.")
    String resourceGroup;

    /** The scope to address, failing with az's wording when no resource group is given or configured. */
    public ResourceGroup resolve(Defaults defaults) {
        String group = defaults.resolve(Defaults.Key.GROUP, resourceGroup).orElseThrow(() -> CliException.invalidInput(
                "the following arguments are required: --resource-group/-g "
                        + "(or set a default: pgmigrate configure --defaults group=<name>)"));
        String sub = defaults.resolve(Defaults.Key.SUBSCRIPTION, subscription).orElse(LOCAL_SUBSCRIPTION);
        return new ResourceGroup(sub, group);
    }
}
