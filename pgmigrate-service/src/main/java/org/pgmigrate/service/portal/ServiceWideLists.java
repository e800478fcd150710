package org.pgmigrate.service.portal;

import io.javalin.http.Context;
import java.util.List;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.api.ArmPath;
import org.pgmigrate.service.api.Responses;
import org.pgmigrate.service.api.ListPages;
import org.pgmigrate.service.arm.MigrationResources;
import org.pgmigrate.service.arm.ServerResources;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.server.ServerKind;
import org.pgmigrate.service.server.ServerRegistry;
import org.pgmigrate.service.store.MigrationStore;

/**
 * Lists across every subscription and resource group the service holds (a pgmigrate extension: ARM lists are per
 * subscription or group, but one self-hosted service is one place to look): {@code GET
 * /providers/Microsoft.DBforPostgreSQL/migrations?migrationListFilter=Active|All}, and {@code .../flexibleServers}
 * and {@code .../servers}. Each item is the resource as its own GET returns it, with its {@code id}. Thread-safe.
 */
final class ServiceWideLists {

    static final String PROVIDER = "/providers/Microsoft.DBforPostgreSQL";

    private final MigrationStore migrations;
    private final ServerRegistry servers;

    ServiceWideLists(MigrationStore migrations, ServerRegistry servers) {
        this.migrations = migrations;
        this.servers = servers;
    }

    void migrations(Context ctx) {
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
        List<Migration> list = all ? migrations.listAll() : migrations.listActive();
        Responses.json(ctx, 200, ListPages.page(ctx, list, MigrationResources::listOrder, MigrationResources::write));
    }

    void flexibleServers(Context ctx) {
        servers(ctx, ServerKind.FLEXIBLE);
    }

    void singleServers(Context ctx) {
        servers(ctx, ServerKind.SINGLE);
    }

    private void servers(Context ctx, ServerKind kind) {
        ArmPath.checkApiVersion(ctx, kind.armType());
        Responses.json(ctx, 200, ListPages.page(ctx, servers.list(null, null, kind), ServerResources::listOrder,
                ServerResources::write));
    }
}
