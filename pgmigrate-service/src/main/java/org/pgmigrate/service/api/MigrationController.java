package org.pgmigrate.service.api;

import io.javalin.http.Context;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.arm.ApiVersions;
import org.pgmigrate.service.arm.MigrationRequests;
import org.pgmigrate.service.arm.MigrationResources;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationService;
import org.pgmigrate.service.server.ServerKind;

/** HTTP for {@code flexibleServers/{serverName}/migrations}: the client/server IO only. Thread-safe. */
final class MigrationController {

    private final MigrationService service;

    MigrationController(MigrationService service) {
        this.service = service;
    }

    void put(Context ctx) {
        ArmPath.checkApiVersion(ctx, MigrationResources.TYPE);
        MigrationKey key = ArmPath.migration(ctx);
        MigrationService.Creation c = service.create(key, MigrationRequests.parsePut(RequestBodies.jsonObject(ctx)));
        Responses.json(ctx, c.created() ? 201 : 200, MigrationResources.write(c.migration()));
    }

    void get(Context ctx) {
        ArmPath.checkApiVersion(ctx, MigrationResources.TYPE);
        Responses.json(ctx, 200, MigrationResources.write(service.get(ArmPath.migration(ctx))));
    }

    void list(Context ctx) {
        ArmPath.checkApiVersion(ctx, MigrationResources.TYPE);
        String filter = ctx.queryParam("migrationListFilter");
        boolean all;
        if (filter == null || filter.equalsIgnoreCase("Active")) {
            all = false;
        } else if (filter.equalsIgnoreCase("All")) {
            all = true;
        } else {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "migrationListFilter must be Active or All, "
                    + "was '" + filter + "'.", "migrationListFilter");
        }
        Responses.json(ctx, 200, ListPages.page(ctx, service.list(ArmPath.server(ctx, ServerKind.FLEXIBLE), all),
                MigrationResources::listOrder, MigrationResources::write));
    }

    void patch(Context ctx) {
        ArmPath.checkApiVersion(ctx, MigrationResources.TYPE);
        Migration m = service.patch(ArmPath.migration(ctx), MigrationRequests.parsePatch(RequestBodies.jsonObject(ctx)));
        Responses.json(ctx, 200, MigrationResources.write(m));
    }

    /**
     * As the api-version says. {@code Migrations_Cancel} (2025-06-01-preview and later): 200 with the migration,
     * canceled if it was active, as it is if it had ended; 204 when absent. {@code Migrations_Delete} (older): 200 with
     * the canceled migration; 200 without a body when a finished one was deleted; 204 when absent.
     */
    void delete(Context ctx) {
        ArmPath.checkApiVersion(ctx, MigrationResources.TYPE);
        if (ApiVersions.deleteCancels(ctx.queryParam("api-version"))) {
            service.cancel(ArmPath.migration(ctx)).ifPresentOrElse(
                    m -> Responses.json(ctx, 200, MigrationResources.write(m)), () -> ctx.status(204));
            return;
        }
        MigrationService.Deletion d = service.delete(ArmPath.migration(ctx));
        if (d.canceled().isPresent()) {
            Responses.json(ctx, 200, MigrationResources.write(d.canceled().get()));
        } else {
            ctx.status(d.existed() ? 200 : 204);
        }
    }

    void checkNameAvailability(Context ctx) {
        ArmPath.checkApiVersion(ctx, MigrationResources.TYPE);
        String name = MigrationRequests.parseNameCheck(RequestBodies.jsonObject(ctx));
        MigrationService.NameAvailability a = service.checkName(ArmPath.server(ctx, ServerKind.FLEXIBLE), name);
        Responses.json(ctx, 200, MigrationResources.nameAvailability(a.name(), a.available(), a.reason(), a.message()));
    }
}
