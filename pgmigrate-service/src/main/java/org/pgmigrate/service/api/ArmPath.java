package org.pgmigrate.service.api;

import io.javalin.http.Context;
import org.pgmigrate.service.arm.ApiVersions;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;

/** The ARM path parameters of a request, and its {@code api-version}. Stateless. */
public final class ArmPath {

    public static final String PROVIDER = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
            + "/providers/Microsoft.DBforPostgreSQL";
    static final String SUBSCRIPTION_PROVIDER = "/subscriptions/{subscriptionId}/providers/Microsoft.DBforPostgreSQL";

    private ArmPath() {
    }

    /** Throws ARM's 400 when api-version is missing or unsupported. */
    public static void checkApiVersion(Context ctx, String resourceType) {
        ApiVersions.check(ctx.queryParam("api-version"), resourceType);
    }

    public static ServerKey server(Context ctx, ServerKind kind) {
        return new ServerKey(ctx.pathParam("subscriptionId"), ctx.pathParam("resourceGroupName"), kind,
                ctx.pathParam("serverName"));
    }

    public static MigrationKey migration(Context ctx) {
        return new MigrationKey(server(ctx, ServerKind.FLEXIBLE), ctx.pathParam("migrationName"));
    }
}
