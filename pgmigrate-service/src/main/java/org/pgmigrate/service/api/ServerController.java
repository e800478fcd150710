package org.pgmigrate.service.api;

import io.javalin.http.Context;
import java.util.Locale;
import org.pgmigrate.service.arm.ServerResources;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;
import org.pgmigrate.service.server.ServerRegistry;

/** HTTP for server registrations under {@code flexibleServers} and {@code servers}. Thread-safe. */
final class ServerController {

    private final ServerRegistry registry;
    private final ServerKind kind;

    ServerController(ServerRegistry registry, ServerKind kind) {
        this.registry = registry;
        this.kind = kind;
    }

    void put(Context ctx) {
        ArmPath.checkApiVersion(ctx, kind.armType());
        ServerKey key = ArmPath.server(ctx, kind);
        ServerRegistry.Registration r = registry.register(key, ServerResources.parsePut(RequestBodies.jsonObject(ctx)));
        Responses.json(ctx, r.created() ? 201 : 200, ServerResources.write(r.server()));
    }

    void get(Context ctx) {
        ArmPath.checkApiVersion(ctx, kind.armType());
        Responses.json(ctx, 200, ServerResources.write(registry.get(ArmPath.server(ctx, kind))));
    }

    void listByResourceGroup(Context ctx) {
        ArmPath.checkApiVersion(ctx, kind.armType());
        Responses.json(ctx, 200, ListPages.page(ctx, registry.list(ctx.pathParam("subscriptionId"),
                ctx.pathParam("resourceGroupName"), kind), ServerResources::listOrder, ServerResources::write));
    }

    void listBySubscription(Context ctx) {
        ArmPath.checkApiVersion(ctx, kind.armType());
        Responses.json(ctx, 200, ListPages.page(ctx, registry.list(ctx.pathParam("subscriptionId"), null, kind),
                ServerResources::listOrder, ServerResources::write));
    }

    /** 200 when deleted, 204 when it was not registered (ARM's DELETE is idempotent). */
    void delete(Context ctx) {
        ArmPath.checkApiVersion(ctx, kind.armType());
        ctx.status(registry.delete(ArmPath.server(ctx, kind)) ? 200 : 204);
    }
}
