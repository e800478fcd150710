package org.pgmigrate.service.api;

import io.javalin.http.Context;
import org.pgmigrate.service.arm.ConfigurationResources;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;
import org.pgmigrate.service.server.ServerParameters;
import org.pgmigrate.service.server.ServerRegistry;

/** HTTP for a flexible server's parameters, {@code .../flexibleServers/{server}/configurations[/{name}]}. Thread-safe. */
final class ConfigurationController {

    private final ServerRegistry registry;

    ConfigurationController(ServerRegistry registry) {
        this.registry = registry;
    }

    void list(Context ctx) {
        ArmPath.checkApiVersion(ctx, ConfigurationResources.TYPE);
        RegisteredServer server = registry.get(server(ctx));
        Responses.json(ctx, 200, ListPages.page(ctx, ServerParameters.all(), ServerParameters.Definition::name,
                d -> ConfigurationResources.write(server, d)));
    }

    void get(Context ctx) {
        ArmPath.checkApiVersion(ctx, ConfigurationResources.TYPE);
        RegisteredServer server = registry.get(server(ctx));
        Responses.json(ctx, 200, ConfigurationResources.write(server, ServerParameters.require(name(ctx))));
    }

    /** PUT and PATCH: ARM's Configurations_Put/_Update, both 200 with the parameter as it now is. */
    void put(Context ctx) {
        ArmPath.checkApiVersion(ctx, ConfigurationResources.TYPE);
        String value = ConfigurationResources.parseValue(RequestBodies.jsonObject(ctx));
        RegisteredServer changed = registry.setParameter(server(ctx), name(ctx), value);
        Responses.json(ctx, 200, ConfigurationResources.write(changed, ServerParameters.require(name(ctx))));
    }

    private static ServerKey server(Context ctx) {
        return ArmPath.server(ctx, ServerKind.FLEXIBLE);
    }

    private static String name(Context ctx) {
        return ctx.pathParam("configurationName");
    }
}
