package org.pgmigrate.service.server;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.SslMode;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.SecretParameters;
import org.pgmigrate.service.store.ServerStore;

/**
 * Turns a migration's properties into connection endpoints, as issue 3 says:
 * <ul>
 *   <li>source: {@code sourceDbServerFullyQualifiedDomainName} if given; else the registered server the ARM resource
 *       ID in {@code sourceDbServerResourceId} names; else that property's {@code host:port@user} form;</li>
 *   <li>target: {@code targetDbServerFullyQualifiedDomainName}, or the registered flexible server {@code {server}};</li>
 *   <li>users: {@code secretParameters.*Username}, else the {@code @user} of the source form or the registered
 *       server's administratorLogin; a Single Server style {@code user@servername} loses its suffix;</li>
 *   <li>sslmode: the migration's {@code sslMode} on both connections. Without one, the target's registered sslmode
 *       (else Prefer), and for the source the stricter of its registered sslmode and Azure's default for the
 *       {@code sourceType}: VerifyFull for PostgreSQLSingleServer, Prefer for the others (and when none is given).</li>
 * </ul>
 * A {@code sourceType} of PostgreSQLSingleServer also requires {@code sourceDbServerResourceId} to name a single
 * server ({@code .../servers/{name}}), as Azure does; other source types take any form.
 * Never connects. Throws {@link ServiceException} (4xx) naming the property to fix. Thread-safe.
 */
public final class EndpointResolver {

    /** The {@code sourceType} whose sources Azure reaches by resource ID only, and with VerifyFull by default. */
    static final String SINGLE_SERVER = "PostgreSQLSingleServer";

    /** {@code host:port@user}, host possibly an [IPv6] literal. */
    private static final Pattern HOST_PORT_USER = Pattern.compile("^(\\[[^]]+]|[^:@\\[\\]]+):(\\d{1,5})@(.+)$");

    private final ServerStore servers;

    public EndpointResolver(ServerStore servers) {
        this.servers = servers;
    }

    public Endpoints resolve(MigrationKey key, MigrationSpec spec, SecretParameters secrets) {
        return new Endpoints(source(spec, secrets), target(key, spec, secrets));
    }

    /** The registered server that {@code sourceDbServerResourceId} names, if it names one (for its restart command). */
    public Optional<RegisteredServer> registeredSource(MigrationSpec spec) {
        String resourceId = spec.sourceDbServerResourceId();
        if (resourceId == null || !ServerKey.isResourceId(resourceId)) {
            return Optional.empty();
        }
        try {
            return servers.find(ServerKey.parseResourceId(resourceId));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The registered flexible server a migration writes to, if it is registered (for its location). */
    public Optional<RegisteredServer> registeredTarget(MigrationKey key) {
        return servers.find(key.target());
    }

    /**
     * The source alone, as {@link #resolve} finds it (for listing its databases before a migration exists).
     */
    public PgEndpoint source(MigrationSpec spec, SecretParameters secrets) {
        String resourceId = spec.sourceDbServerResourceId();
        String fqdn = spec.sourceDbServerFullyQualifiedDomainName();
        if (SINGLE_SERVER.equals(spec.sourceType())) {
            checkSingleServerId(resourceId);
        }
        Optional<RegisteredServer> registered = Optional.empty();
        String host = null;
        int port = 5432;
        String user = null;
        if (resourceId != null && ServerKey.isResourceId(resourceId)) {
            ServerKey key = parseId(resourceId);
            registered = servers.find(key);
            if (registered.isEmpty() && fqdn == null) {
                throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "The source server '" + resourceId
                        + "' is not registered. Register it first (PUT " + key.id() + ", or pgmigrate server create --type "
                        + (key.kind() == ServerKind.SINGLE ? "single" : "flexible") + "), or give "
                        + "sourceDbServerResourceId as host:port@user.", "properties.sourceDbServerResourceId");
            }
            if (registered.isPresent()) {
                host = registered.get().host();
                port = registered.get().port();
                user = registered.get().administratorLogin();
            }
        } else if (resourceId != null && !resourceId.isBlank()) {
            Matcher m = HOST_PORT_USER.matcher(resourceId.trim());
            if (!m.matches()) {
                throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "sourceDbServerResourceId '" + resourceId
                        + "' is neither a server resource ID nor of the form host:port@user (for example "
                        + "10.0.0.5:5432@postgres).", "properties.sourceDbServerResourceId");
            }
            host = unbracket(m.group(1));
            port = parsePort(m.group(2), "properties.sourceDbServerResourceId");
            user = m.group(3);
        } else if (fqdn == null) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "Property 'properties.sourceDbServerResourceId' "
                    + "is required: the source as host:port@user (such as 10.0.0.5:5432@postgres), or the resource ID of a "
                    + "registered server.", "properties.sourceDbServerResourceId");
        }
        if (fqdn != null && !fqdn.isBlank()) {
            HostAndPort hp = HostAndPort.parse(fqdn, port, "properties.sourceDbServerFullyQualifiedDomainName");
            host = hp.host();
            port = hp.port();
        }
        if (secrets.sourceServerUsername() != null && !secrets.sourceServerUsername().isBlank()) {
            user = secrets.sourceServerUsername();
        }
        if (user == null) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "No source user: set "
                    + "secretParameters.sourceServerUsername, register the source server with an administratorLogin, or "
                    + "give sourceDbServerResourceId as host:port@user.",
                    "properties.secretParameters.sourceServerUsername");
        }
        user = withoutServerSuffix(user, registered);
        SslMode mode = spec.sslMode() != null ? SslMode.parse(spec.sslMode())
                : stricter(SslMode.parse(registered.map(RegisteredServer::sslMode).orElse("Prefer")),
                        defaultSslMode(spec.sourceType()));
        return new PgEndpoint(host, port, null, user, secrets.sourceServerPassword(), mode, options(registered));
    }

    private PgEndpoint target(MigrationKey key, MigrationSpec spec, SecretParameters secrets) {
        Optional<RegisteredServer> registered = servers.find(key.target());
        String fqdn = spec.targetDbServerFullyQualifiedDomainName();
        if (registered.isEmpty() && (fqdn == null || fqdn.isBlank())) {
            throw new ServiceException(ServiceError.PARENT_RESOURCE_NOT_FOUND, "The target server '" + key.target().name()
                    + "' (resource group '" + key.target().resourceGroup() + "') is not registered. Register it first (PUT "
                    + key.target().id() + ", or pgmigrate server create -g " + key.target().resourceGroup() + " -n "
                    + key.target().name() + " --host H --port P), or set targetDbServerFullyQualifiedDomainName.",
                    "serverName");
        }
        String host = registered.map(RegisteredServer::host).orElse(null);
        int port = registered.map(RegisteredServer::port).orElse(5432);
        if (fqdn != null && !fqdn.isBlank()) {
            HostAndPort hp = HostAndPort.parse(fqdn, port, "properties.targetDbServerFullyQualifiedDomainName");
            host = hp.host();
            port = hp.port();
        }
        String user = secrets.targetServerUsername() != null && !secrets.targetServerUsername().isBlank()
                ? secrets.targetServerUsername() : registered.map(RegisteredServer::administratorLogin).orElse(null);
        if (user == null) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "No target user: set "
                    + "secretParameters.targetServerUsername (or register the target with an administratorLogin).",
                    "properties.secretParameters.targetServerUsername");
        }
        SslMode mode = sslMode(spec.sslMode(), registered.map(RegisteredServer::sslMode).orElse(null));
        return new PgEndpoint(host, port, null, user, secrets.targetServerPassword(), mode, options(registered));
    }

    private static SslMode sslMode(String migrationMode, String serverMode) {
        String mode = migrationMode != null ? migrationMode : serverMode != null ? serverMode : "Prefer";
        return SslMode.parse(mode);
    }

    /** Azure's rule (the spec's sslMode): VerifyFull for a Single Server source, Prefer for the other source types. */
    static SslMode defaultSslMode(String sourceType) {
        return SINGLE_SERVER.equals(sourceType) ? SslMode.VERIFY_FULL : SslMode.PREFER;
    }

    // SslMode's constants go from the weakest to the strictest.
    private static SslMode stricter(SslMode a, SslMode b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static void checkSingleServerId(String resourceId) {
        boolean single;
        try {
            single = ServerKey.isResourceId(resourceId)
                    && ServerKey.parseResourceId(resourceId).kind() == ServerKind.SINGLE;
        } catch (IllegalArgumentException e) {
            single = false;
        }
        if (!single) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "sourceType " + SINGLE_SERVER + " needs "
                    + "sourceDbServerResourceId to be the resource ID of a single server (/subscriptions/{subscription}/"
                    + "resourceGroups/{group}/providers/Microsoft.DBforPostgreSQL/servers/{name}, registered with "
                    + "pgmigrate server create --type single), was '" + resourceId + "'. For a source given as "
                    + "host:port@user, set sourceType to what the server is (OnPremises, AzureVM, AWS_RDS, ...).",
                    "properties.sourceDbServerResourceId");
        }
    }

    private static Map<String, String> options(Optional<RegisteredServer> server) {
        return server.map(RegisteredServer::sslRootCertificate).map(c -> Map.of("sslrootcert", c)).orElse(Map.of());
    }

    /** Azure Single Server wanted {@code user@servername}; a plain PostgreSQL server knows only {@code user}. */
    private static String withoutServerSuffix(String user, Optional<RegisteredServer> server) {
        if (server.isPresent()) {
            String suffix = "@" + server.get().key().name().toLowerCase(Locale.ROOT);
            if (user.toLowerCase(Locale.ROOT).endsWith(suffix)) {
                return user.substring(0, user.length() - suffix.length());
            }
        }
        return user;
    }

    private static ServerKey parseId(String id) {
        try {
            return ServerKey.parseResourceId(id);
        } catch (IllegalArgumentException e) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, e.getMessage(),
                    "properties.sourceDbServerResourceId");
        }
    }

    private static int parsePort(String text, String property) {
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "Port " + port + " in " + property
                    + " is out of range; use 1 to 65535.", property);
        }
        return port;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** {@code host} or {@code host:port} (IPv6 in brackets). */
    private record HostAndPort(String host, int port) {
        static HostAndPort parse(String text, int defaultPort, String property) {
            String t = text.trim();
            if (t.startsWith("[")) {
                int close = t.indexOf(']');
                if (close < 0) {
                    throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "Missing ']' in " + property + " '"
                            + text + "'.", property);
                }
                String rest = t.substring(close + 1);
                return new HostAndPort(t.substring(1, close), rest.startsWith(":") ? parsePort(rest.substring(1), property) : defaultPort);
            }
            int colon = t.lastIndexOf(':');
            if (colon > 0 && t.indexOf(':') == colon) {
                String p = t.substring(colon + 1);
                if (!p.matches("\\d{1,5}")) {
                    throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, property + " '" + text + "' must be "
                            + "a host name, optionally with :port.", property);
                }
                return new HostAndPort(t.substring(0, colon), parsePort(p, property));
            }
            if (t.isEmpty() || t.contains("/") || t.contains("@") || t.contains(" ")) {
                throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, property + " '" + text + "' must be a "
                        + "host name, optionally with :port.", property);
            }
            return new HostAndPort(t, defaultPort);
        }
    }
}
