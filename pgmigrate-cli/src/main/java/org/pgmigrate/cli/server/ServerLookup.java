package org.pgmigrate.cli.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServerType;
import org.pgmigrate.cli.config.ResourceGroup;

/** Finds a registered server by name when {@code --type} is not given: it must be unambiguous. */
final class ServerLookup {

    record Found(ServerType type, JsonNode server) {
    }

    private ServerLookup() {
    }

    static Found find(ArmClient client, ResourceGroup group, String name, ServerType type) {
        if (type != null) {
            return new Found(type, client.get(ArmPath.server(group, type, name)));
        }
        List<Found> found = new ArrayList<>();
        for (ServerType candidate : ServerType.values()) {
            client.find(ArmPath.server(group, candidate, name)).ifPresent(s -> found.add(new Found(candidate, s)));
        }
        if (found.isEmpty()) {
            throw CliException.invalidInput("No server named '" + name + "' is registered in resource group '"
                    + group.name() + "'. See `pgmigrate server list -g " + group.name() + "`.");
        }
        if (found.size() > 1) {
            throw CliException.invalidInput("Both a flexible server and a single server are named '" + name
                    + "' in resource group '" + group.name() + "'; say which with --type flexible or --type single.");
        }
        return found.get(0);
    }
}
