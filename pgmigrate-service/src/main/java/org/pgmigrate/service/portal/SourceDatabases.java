package org.pgmigrate.service.portal;

import io.javalin.http.Context;
import java.util.List;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.api.ArmPath;
import org.pgmigrate.service.api.RequestBodies;
import org.pgmigrate.service.api.Responses;
import org.pgmigrate.service.arm.MigrationResources;
import org.pgmigrate.service.arm.SourceDatabaseRequests;
import org.pgmigrate.service.migration.MigrationDraft;
import org.pgmigrate.service.server.EndpointResolver;

/**
 * {@code POST .../flexibleServers/{server}/listSourceDatabases} (a pgmigrate extension): the databases a source
 * offers, for the portal's wizard to pick from. The source and its credentials are given as a migration's PUT gives
 * them and resolved the same way; the service connects with them once and keeps nothing. It gives a token holder no
 * reach a migration does not already give. Thread-safe.
 */
final class SourceDatabases {

    static final String PATH = ArmPath.PROVIDER + "/flexibleServers/{serverName}/listSourceDatabases";

    private final EndpointResolver resolver;
    private final Engine engine;

    SourceDatabases(EndpointResolver resolver, Engine engine) {
        this.resolver = resolver;
        this.engine = engine;
    }

    void post(Context ctx) {
        ArmPath.checkApiVersion(ctx, MigrationResources.TYPE);
        MigrationDraft draft = SourceDatabaseRequests.parse(RequestBodies.jsonObject(ctx));
        PgEndpoint source = resolver.source(draft.spec(), draft.secrets());
        List<String> databases;
        try {
            databases = engine.listDatabases(source);
        } catch (EngineException e) {
            // the user's server, credentials or network: a 4xx naming what to fix, next to the field it concerns
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, e.getMessage(), target(e.error()));
        }
        Responses.json(ctx, 200, SourceDatabaseRequests.write(databases));
    }

    private static String target(EngineError error) {
        return error == EngineError.AUTHENTICATION_FAILED ? "properties.secretParameters"
                : "properties.sourceDbServerResourceId";
    }
}
