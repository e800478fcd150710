package org.pgmigrate.service.portal;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Clock;
import java.time.Duration;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.service.migration.MigrationService;
import org.pgmigrate.service.server.EndpointResolver;
import org.pgmigrate.service.server.ServerRegistry;
import org.pgmigrate.service.store.MigrationStore;

/**
 * The web portal on the API's listener: its pages under {@code /portal/} (no token needed: they hold no data), and
 * the documented endpoints it needs that the ARM API lacks (service-wide lists, a source's databases, replication
 * history), which need the token like every API route. The portal itself is a client of the API and nothing else.
 *
 * <p>Lifecycle: {@link #configure} while the API is built, {@link #start()} once it listens, {@link #close()} when
 * the service stops.
 */
public final class Portal implements AutoCloseable {

    /** How often the chart's history is sampled, and how long it is kept. */
    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(2);
    static final Duration HISTORY_WINDOW = Duration.ofHours(1);

    private final PortalPages pages = new PortalPages();
    private final ServiceWideLists lists;
    private final SourceDatabases sourceDatabases;
    private final ReplicationHistoryEndpoint history;
    private final ReplicationSampler sampler;

    public Portal(MigrationStore store, MigrationService migrations, ServerRegistry servers, EndpointResolver resolver,
                  Engine engine, Clock clock) {
        ReplicationHistory samples = new ReplicationHistory(SAMPLE_INTERVAL, HISTORY_WINDOW);
        this.lists = new ServiceWideLists(store, servers);
        this.sourceDatabases = new SourceDatabases(resolver, engine);
        this.history = new ReplicationHistoryEndpoint(migrations, samples, SAMPLE_INTERVAL);
        this.sampler = new ReplicationSampler(samples, store::listActive, clock, SAMPLE_INTERVAL);
    }

    /** Adds the portal's files and endpoints to the API's configuration. */
    public void configure(JavalinConfig config) {
        pages.configure(config);
        config.router.mount(router -> {
            router.get(ServiceWideLists.PROVIDER + "/migrations", lists::migrations);
            router.get(ServiceWideLists.PROVIDER + "/flexibleServers", lists::flexibleServers);
            router.get(ServiceWideLists.PROVIDER + "/servers", lists::singleServers);
            router.post(SourceDatabases.PATH, sourceDatabases::post);
            router.get(ReplicationHistoryEndpoint.PATH, history::get);
        });
    }

    /** Whether a request is for the portal's files, which load without the token. */
    public static boolean isPublic(Context ctx) {
        return PortalPages.isPortalFile(ctx);
    }

    /** Security headers for the portal's responses (a before-handler of the API). */
    public static void headers(Context ctx) {
        if (ctx.path().equals(PortalPages.ROOT) || ctx.path().startsWith(PortalPages.ROOT + "/")) {
            PortalPages.securityHeaders(ctx);
        }
    }

    public void start() {
        sampler.start();
    }

    @Override
    public void close() {
        sampler.close();
    }
}
