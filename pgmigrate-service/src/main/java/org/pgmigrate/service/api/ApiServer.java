package org.pgmigrate.service.api;

import static io.javalin.apibuilder.ApiBuilder.delete;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.patch;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;
import static io.javalin.apibuilder.ApiBuilder.put;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.UUID;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.store.StoreUnavailableException;
import org.pgmigrate.service.arm.ErrorResponses;
import org.pgmigrate.service.metrics.Health;
import org.pgmigrate.service.metrics.ServiceMetrics;
import org.pgmigrate.service.migration.MigrationService;
import org.pgmigrate.service.portal.Portal;
import org.pgmigrate.service.security.BearerToken;
import org.pgmigrate.service.security.TlsMaterial;
import org.pgmigrate.service.server.ServerKind;
import org.pgmigrate.service.server.ServerRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API: all routes in one tree, bearer authentication in front of every one, and every error as ARM's
 * ErrorResponse with its status (a user's mistake is never a 5xx). Paths match case-insensitively, as ARM's do.
 * Serves HTTPS with {@code tls}, or plain HTTP when it is null (the configuration allows that on loopback only).
 *
 * <p>Built unstarted; {@link #start()} binds, {@link #stop()} stops accepting and finishes requests in flight.
 */
public final class ApiServer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final Javalin app;

    public ApiServer(String host, int port, TlsMaterial tls, BearerToken token, MigrationService migrations,
                     ServerRegistry servers, ServiceMetrics metrics, Health health, Portal portal) {
        MigrationController m = new MigrationController(migrations);
        ServerController flexible = new ServerController(servers, ServerKind.FLEXIBLE);
        ServerController single = new ServerController(servers, ServerKind.SINGLE);
        ConfigurationController configurations = new ConfigurationController(servers);
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.router.caseInsensitiveRoutes = true;
            config.router.ignoreTrailingSlashes = true;
            config.http.prefer405over404 = true;
            config.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
            config.jetty.addConnector((server, http) -> connector(server, http, host, port, tls));
            config.requestLogger.http((ctx, ms) -> LOG.debug("{} {} -> {} ({} ms)", ctx.method(), ctx.path(),
                    ctx.statusCode(), ms.longValue()));
            config.router.apiBuilder(() -> {
                path(ArmPath.PROVIDER + "/flexibleServers", () -> {
                    get(flexible::listByResourceGroup);
                    path("{serverName}", () -> {
                        put(flexible::put);
                        get(flexible::get);
                        delete(flexible::delete);
                        post("checkMigrationNameAvailability", m::checkNameAvailability);
                        path("configurations", () -> {
                            get(configurations::list);
                            path("{configurationName}", () -> {
                                get(configurations::get);
                                put(configurations::put);
                                patch(configurations::put);
                            });
                        });
                        path("migrations", () -> {
                            get(m::list);
                            path("{migrationName}", () -> {
                                put(m::put);
                                get(m::get);
                                patch(m::patch);
                                delete(m::delete);
                            });
                        });
                    });
                });
                path(ArmPath.PROVIDER + "/servers", () -> {
                    get(single::listByResourceGroup);
                    path("{serverName}", () -> {
                        put(single::put);
                        get(single::get);
                        delete(single::delete);
                    });
                });
                get(ArmPath.SUBSCRIPTION_PROVIDER + "/flexibleServers", flexible::listBySubscription);
                get(ArmPath.SUBSCRIPTION_PROVIDER + "/servers", single::listBySubscription);
                get("/healthz", ctx -> {
                    Health.Report r = health.check();
                    ctx.status(r.healthy() ? 200 : 503).contentType(Responses.JSON).result(r.json());
                });
                get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            });
            portal.configure(config);
        });
        app.before(ctx -> ctx.header("x-ms-request-id", UUID.randomUUID().toString()));
        app.before(Portal::headers);
        BearerAuthentication authentication = new BearerAuthentication(token);
        app.before(ctx -> {
            if (!Portal.isPublic(ctx)) {
                authentication.handle(ctx);
            }
        });
        app.exception(ServiceException.class, (e, ctx) -> error(ctx, e));
        app.exception(StoreUnavailableException.class, (e, ctx) -> {
            LOG.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.header("Retry-After", "10");
            error(ctx, new ServiceException(ServiceError.STORE_UNAVAILABLE, e.getMessage() + " Retry in a moment."));
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unexpected error on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, new ServiceException(ServiceError.INTERNAL, "An internal error occurred in pgmigrate (request id "
                    + ctx.res().getHeader("x-ms-request-id") + "); the service log has the details."));
        });
        app.error(404, ctx -> {
            if (isEmpty(ctx)) {
                error(ctx, new ServiceException(ServiceError.ROUTE_NOT_FOUND, "No route for " + ctx.method() + " "
                        + ctx.path() + ". Paths look like /subscriptions/{sub}/resourceGroups/{rg}/providers/"
                        + "Microsoft.DBforPostgreSQL/flexibleServers/{server}/migrations/{name}?api-version=2025-08-01."));
            }
        });
        app.error(405, ctx -> {
            if (isEmpty(ctx)) {
                error(ctx, new ServiceException(ServiceError.METHOD_NOT_ALLOWED, "The method " + ctx.method()
                        + " is not allowed on " + ctx.path() + "."));
            }
        });
    }

    public void start() {
        app.start();
    }

    /** The port listened on (the real one when configured with 0). */
    public int port() {
        return app.port();
    }

    public void stop() {
        app.stop();
    }

    private static void error(Context ctx, ServiceException e) {
        if (e.error().httpStatus() >= 500) {
            LOG.error("{} {} -> {}: {}", ctx.method(), ctx.path(), e.error().httpStatus(), e.getMessage());
        } else {
            LOG.info("{} {} -> {} {}: {}", ctx.method(), ctx.path(), e.error().httpStatus(), e.error().armCode(), e.getMessage());
        }
        Responses.json(ctx, e.error().httpStatus(), ErrorResponses.of(e));
    }

    /** True unless a handler already wrote an ARM error (Javalin's own 404/405 bodies are plain text). */
    private static boolean isEmpty(Context ctx) {
        String type = ctx.res().getContentType();
        return type == null || !type.startsWith("application/json");
    }

    private static ServerConnector connector(Server server, HttpConfiguration http, String host, int port, TlsMaterial tls) {
        ServerConnector connector;
        if (tls == null) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(tls.keyStore());
            ssl.setKeyStorePassword(tls.keyStorePassword());
            ssl.setSniRequired(false);
            HttpConfiguration https = new HttpConfiguration(http);
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // clients connect by IP (127.0.0.1) as often as by name; the certificate covers both
            secure.setSniHostCheck(false);
            https.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        }
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }
}
