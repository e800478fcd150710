package org.pgmigrate.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.service.api.ApiServer;
import org.pgmigrate.service.metrics.Health;
import org.pgmigrate.service.metrics.ServiceMetrics;
import org.pgmigrate.service.migration.MigrationService;
import org.pgmigrate.service.migration.SealedSecrets;
import org.pgmigrate.service.portal.Portal;
import org.pgmigrate.service.security.BearerToken;
import org.pgmigrate.service.security.PrivateFiles;
import org.pgmigrate.service.security.SecretBox;
import org.pgmigrate.service.security.TlsMaterial;
import org.pgmigrate.service.server.EndpointResolver;
import org.pgmigrate.service.server.RestartCommandPolicy;
import org.pgmigrate.service.server.ServerRegistry;
import org.pgmigrate.service.store.ServiceStore;
import org.pgmigrate.service.store.postgres.PostgresStore;
import org.pgmigrate.service.store.sqlite.SqliteStore;
import org.pgmigrate.service.worker.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one service node from its {@code ServiceConfig}, starts it and stops it, in order. Start: lock the data
 * dir, token, secrets key, TLS material, store (the data dir's SQLite file, or the PostgreSQL store several nodes
 * share), workers' scheduler, API, then the {@code endpoint} file (so a client
 * that finds it can connect). Stop: remove the endpoint file, stop the API (no new requests), stop the workers (their
 * migrations keep their state and resume at the next start), close the store, unlock.
 *
 * <p>Not thread-safe: start and stop from one thread.
 */
public final class ServiceWiring implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceWiring.class);

    private final ServiceConfig config;
    private FileChannel lockChannel;
    private FileLock lock;
    private ServiceStore store;
    private Scheduler scheduler;
    private ApiServer api;
    private Portal portal;
    private String endpoint;

    private ServiceWiring(ServiceConfig config) {
        this.config = config;
    }

    /**
     * Builds and starts a node; throws {@link DataDirectoryException} when the data dir cannot be used, and
     * {@link IllegalStateException} or {@link IllegalArgumentException} with a message for other problems.
     */
    public static ServiceWiring start(ServiceConfig config) {
        ServiceWiring wiring = new ServiceWiring(config);
        try {
            wiring.startAll();
            return wiring;
        } catch (RuntimeException e) {
            wiring.close();
            throw e;
        }
    }

    /** The base URL clients use, such as {@code https://127.0.0.1:8642}. */
    public String endpoint() {
        return endpoint;
    }

    /** The web portal's address, such as {@code https://127.0.0.1:8642/portal/}. */
    public String portalAddress() {
        return endpoint + "/portal/";
    }

    public int port() {
        return api.port();
    }

    private void startAll() {
        DataDirectory dir = config.dataDirectory();
        BearerToken token;
        SecretBox secretBox;
        TlsMaterial tls;
        dir.createPrivate();
        try {
            lockDataDirectory(dir);
            PrivateFiles.createDirectory(dir.work());
            token = BearerToken.loadOrCreate(dir.token());
            secretBox = SecretBox.loadOrCreate(dir.secretsKey());
            tls = !config.tls() ? null : config.tlsCertificate() != null
                    ? TlsMaterial.fromPem(config.tlsCertificate(), config.tlsKey(), dir.tlsCertificate())
                    : TlsMaterial.selfSigned(dir.tlsCertificate(), dir.tlsKey(), config.listenHost());
            if (config.store() == null) {
                store = SqliteStore.open(dir.store()).withBusyWindow(config.storeBusyWindow());
            }
        } catch (UncheckedIOException e) {
            throw new DataDirectoryException(dir, e.getMessage(), e);
        }
        if (config.store() != null) {
            store = PostgresStore.open(config.store(), config.nodeName()).withBusyWindow(config.storeBusyWindow());
        }
        String node = config.nodeName();
        SealedSecrets sealer = new SealedSecrets(secretBox);
        EndpointResolver resolver = new EndpointResolver(store.servers());
        ServiceMetrics metrics = new ServiceMetrics(store.migrations()::countByState, node);
        Clock clock = Clock.systemUTC();
        scheduler = new Scheduler(store.migrations(), store.sourceCleanups(), sealer, resolver,
                EngineSettings.defaults().withToolSearchPath(config.toolSearchPath()), metrics.progressListener(),
                config.jobLimits(), config.pollInterval(), clock, node, dir.work(),
                config.restartCommands(), config.replication());
        MigrationService migrations = new MigrationService(store.migrations(), store.servers(), resolver, sealer,
                scheduler, clock);
        ServerRegistry servers = new ServerRegistry(store.servers(), store.migrations(), config.restartCommands());
        portal = new Portal(store.migrations(), migrations, servers, resolver,
                new Engine(EngineSettings.defaults().withToolSearchPath(config.toolSearchPath())), clock);
        api = new ApiServer(config.listenHost(), config.listenPort(), tls, token, migrations, servers, metrics,
                new Health(store.migrations()::countByState, store.sourceCleanups()::list, store.describe(), node,
                        () -> store.migrations().leasesOf(node)), portal);
        // The scheduler first: its first pass resumes the migrations this node had running (store reads, sessions,
        // replication) while the API's server starts on the other core, instead of after it. A failed API start
        // stops it again (start's close), as SIGTERM would.
        scheduler.start();
        api.start();
        portal.start();
        endpoint = (tls == null ? "http" : "https") + "://" + clientHost(config.listenHost()) + ":" + api.port();
        try {
            PrivateFiles.writePublic(dir.endpoint(), (endpoint + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (UncheckedIOException e) {
            throw new DataDirectoryException(dir, e.getMessage(), e);
        }
        LOG.info("pgmigrate service node {} listening on {} (data dir {}, store {} schema v{}).", node, endpoint, dir,
                store.describe(), store.schemaVersion());
        if (config.restartCommands().allowed()) {
            LOG.warn("Restart commands are on ({}): registered servers may carry a restartCommand, which this service "
                    + "runs as its OS user; anyone with the API token can set one.", RestartCommandPolicy.FLAG);
        }
    }

    private void lockDataDirectory(DataDirectory dir) {
        try {
            lockChannel = FileChannel.open(dir.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // this JVM already runs a service on it
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock " + dir.lock() + ": " + FileErrors.describe(e), e);
        }
        if (lock == null) {
            throw new IllegalStateException("Another pgmigrate service is running on the data dir " + dir
                    + ". Stop it first, or use another --data-dir.");
        }
        // The lock file names this process while it runs: a CLI started right after `pgmigrate serve &` finds no
        // endpoint yet, sees a live service starting, and waits for it instead of saying that none runs.
        try {
            lockChannel.truncate(0);
            lockChannel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            LOG.warn("Cannot write the process id into {}: {}", dir.lock(), e.getMessage());
        }
    }

    /** A wildcard listen address is reached through loopback, which the certificate covers. */
    private static String clientHost(String listenHost) {
        if (listenHost.equals("0.0.0.0") || listenHost.equals("::") || listenHost.equals("0:0:0:0:0:0:0:0")) {
            return "127.0.0.1";
        }
        try {
            if (InetAddress.getByName(listenHost) instanceof java.net.Inet6Address && !listenHost.startsWith("[")) {
                return "[" + listenHost + "]";
            }
        } catch (IOException e) {
            // a name: use it as given
        }
        return listenHost;
    }

    /** Stops in order; each step runs even if an earlier one failed. */
    @Override
    public void close() {
        RuntimeException failure = null;
        if (endpoint != null) {
            try {
                Files.deleteIfExists(config.dataDirectory().endpoint());
            } catch (IOException e) {
                LOG.warn("Cannot remove {}: {}", config.dataDirectory().endpoint(), e.getMessage());
            }
        }
        if (portal != null) {
            portal.close();
        }
        if (api != null) {
            try {
                api.stop();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (scheduler != null) {
            try {
                scheduler.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        if (store != null) {
            try {
                store.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        try {
            if (lock != null) {
                lockChannel.truncate(0); // no longer starting or running
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            failure = add(failure, new UncheckedIOException(e));
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
