package org.pgmigrate.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.pgmigrate.service.server.RestartCommandPolicy;
import org.pgmigrate.service.store.postgres.StoreLocation;
import org.pgmigrate.service.worker.JobLimits;
import org.pgmigrate.service.worker.ReplicationLimits;

/**
 * The configuration of one {@code pgmigrate serve} node, validated once when built. Immutable.
 *
 * @param listenHost   the address to bind; a non-loopback address requires TLS
 * @param listenPort   0 picks a free port (tests)
 * @param tlsCertificate a PEM certificate (chain) to present, or null to generate a self-signed one in the data dir
 * @param tlsKey       the PEM private key of {@code tlsCertificate}, or null
 * @param tls          false serves plain HTTP, which is allowed on a loopback address only
 * @param pollInterval how often the scheduler looks for work that is due (migration windows, other nodes' leases)
 * @param toolSearchPath directories searched for pg_dump, pg_restore and pg_dumpall (the serve command passes PATH)
 * @param restartCommands whether registered servers may carry a {@code restartCommand} that this node runs (off
 *                     unless the operator opts in: it is a shell command on this host)
 * @param replication when online replications pause rather than fail (spool limit, reconnect window)
 * @param storeBusyWindow how long a busy or failing store is retried before callers are told it is unavailable
 *                     (workers then wait and retry; the API answers 503)
 * @param store        the shared PostgreSQL store ({@code --store}), or null for the SQLite file in the data dir
 * @param nodeName     this node's name among the nodes of one store: lease owner, metrics label; null for
 *                     {@link #defaultNodeName}
 */
public record ServiceConfig(DataDirectory dataDirectory, String listenHost, int listenPort, Path tlsCertificate,
                            Path tlsKey, boolean tls, JobLimits jobLimits, Duration pollInterval,
                            List<Path> toolSearchPath, RestartCommandPolicy restartCommands, ReplicationLimits replication,
                            Duration storeBusyWindow, StoreLocation store, String nodeName) {

    public static final String DEFAULT_LISTEN = "127.0.0.1:8642";
    private static final java.util.regex.Pattern NODE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,63}");

    public ServiceConfig {
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port must be 0 to 65535, was " + listenPort);
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both, or neither to use a "
                    + "self-signed certificate generated in " + dataDirectory.tlsCertificate().getParent());
        }
        if (!tls && tlsCertificate != null) {
            throw new IllegalArgumentException("--no-tls and --tls-cert/--tls-key contradict each other; drop one.");
        }
        for (Path p : new Path[] {tlsCertificate, tlsKey}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("Cannot read TLS file " + p + ". Check the path and its permissions.");
            }
        }
        if (!tls && !isLoopback(listenHost)) {
            throw new IllegalArgumentException("Refusing to listen on " + listenHost + " without TLS: the bearer token "
                    + "and database passwords would cross the network in clear text. Listen on 127.0.0.1, or drop --no-tls.");
        }
        toolSearchPath = List.copyOf(toolSearchPath);
        if (restartCommands == null) {
            restartCommands = RestartCommandPolicy.REFUSED;
        }
        if (nodeName == null) {
            nodeName = defaultNodeName(dataDirectory);
        } else if (!NODE_NAME.matcher(nodeName).matches()) {
            throw new IllegalArgumentException("Invalid --node-name '" + nodeName + "': use 1 to 63 letters, digits, "
                    + "dots, hyphens and underscores, unique among the nodes of one store.");
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
    }

    /**
     * The defaults: 127.0.0.1:8642, a generated self-signed certificate, {@link JobLimits#DEFAULT}, restart commands
     * refused.
     */
    public static ServiceConfig defaults(DataDirectory dataDirectory) {
        return new ServiceConfig(dataDirectory, "127.0.0.1", 8642, null, null, true, JobLimits.DEFAULT,
                Duration.ofSeconds(2), List.of(), RestartCommandPolicy.REFUSED, ReplicationLimits.DEFAULT,
                Duration.ofMinutes(2), null, null);
    }

    public ServiceConfig withListen(String hostAndPort) {
        HostPort hp = HostPort.parse(hostAndPort);
        return new ServiceConfig(dataDirectory, hp.host(), hp.port(), tlsCertificate, tlsKey, tls, jobLimits, pollInterval,
                toolSearchPath, restartCommands, replication, storeBusyWindow, store, nodeName);
    }

    public ServiceConfig withTls(Path certificate, Path key) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, certificate, key, true, jobLimits, pollInterval,
                toolSearchPath, restartCommands, replication, storeBusyWindow, store, nodeName);
    }

    public ServiceConfig withoutTls() {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, null, null, false, jobLimits, pollInterval,
                toolSearchPath, restartCommands, replication, storeBusyWindow, store, nodeName);
    }

    public ServiceConfig withJobLimits(JobLimits limits) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, tlsCertificate, tlsKey, tls, limits, pollInterval,
                toolSearchPath, restartCommands, replication, storeBusyWindow, store, nodeName);
    }

    public ServiceConfig withPollInterval(Duration interval) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, tlsCertificate, tlsKey, tls, jobLimits, interval,
                toolSearchPath, restartCommands, replication, storeBusyWindow, store, nodeName);
    }

    public ServiceConfig withToolSearchPath(List<Path> directories) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, tlsCertificate, tlsKey, tls, jobLimits,
                pollInterval, directories, restartCommands, replication, storeBusyWindow, store, nodeName);
    }

    /** Lets registered servers carry a restart command, which this node then runs ({@code --allow-restart-commands}). */
    public ServiceConfig withRestartCommands(RestartCommandPolicy policy) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, tlsCertificate, tlsKey, tls, jobLimits,
                pollInterval, toolSearchPath, policy, replication, storeBusyWindow, store, nodeName);
    }

    public ServiceConfig withReplicationLimits(ReplicationLimits limits) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, tlsCertificate, tlsKey, tls, jobLimits,
                pollInterval, toolSearchPath, restartCommands, limits, storeBusyWindow, store, nodeName);
    }

    public ServiceConfig withStoreBusyWindow(Duration window) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, tlsCertificate, tlsKey, tls, jobLimits,
                pollInterval, toolSearchPath, restartCommands, replication, window, store, nodeName);
    }

    /** Keeps the state in a shared PostgreSQL database instead of the data dir's SQLite file. */
    public ServiceConfig withStore(StoreLocation location) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, tlsCertificate, tlsKey, tls, jobLimits,
                pollInterval, toolSearchPath, restartCommands, replication, storeBusyWindow, location, nodeName);
    }

    public ServiceConfig withNodeName(String name) {
        return new ServiceConfig(dataDirectory, listenHost, listenPort, tlsCertificate, tlsKey, tls, jobLimits,
                pollInterval, toolSearchPath, restartCommands, replication, storeBusyWindow, store, name);
    }

    /**
     * The host name and a hash of the data dir: unique among nodes (a data dir serves one node at a time) and the
     * same across restarts, so that a node started again takes its own migrations back at once instead of waiting
     * for their leases to expire.
     */
    public static String defaultNodeName(DataDirectory dir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "-");
        String hash = String.format("%08x", dir.path().toAbsolutePath().normalize().toString().hashCode());
        return host.substring(0, Math.min(host.length(), 54)) + "-" + hash;
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Cannot resolve listen address '" + host + "'. Use an IP address such as 127.0.0.1.");
        }
    }

    /** A {@code host:port} pair; {@code [::1]:8642} for IPv6. */
    record HostPort(String host, int port) {
        static HostPort parse(String text) {
            String t = text.trim();
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || colon == t.length() - 1) {
                throw new IllegalArgumentException("Invalid --listen '" + text + "': use host:port, such as 127.0.0.1:8642.");
            }
            String host = t.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return new HostPort(host, Integer.parseInt(t.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid port in --listen '" + text + "': use a number such as 8642.");
            }
        }
    }
}
