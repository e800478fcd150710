package org.pgmigrate.service.server;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An existing PostgreSQL server registered with the service, so that migrations can name it by resource ID (the
 * target by {@code {server}} in the path). Holds no password: credentials come with each migration's
 * {@code secretParameters}. Immutable.
 *
 * @param host               {@code properties.fullyQualifiedDomainName} on the wire
 * @param sslMode            Prefer, Require, VerifyCA or VerifyFull (the API's spelling), used unless the migration
 *                           sets {@code sslMode}
 * @param sslRootCertificate path of the CA file for VerifyCA/VerifyFull, on the service's machine, or null
 * @param administratorLogin the default user when a migration's secretParameters give none, or null
 * @param restartCommand     a shell command that restarts this server (used to turn on logical replication), or null
 * @param hostProblem        why the host could not be resolved when the server was registered, or null when it
 *                           resolved: such a server is registered, but its state is not Ready
 * @param parameters         server parameters set by the user ({@code configurations/{name}}, see
 *                           {@link ServerParameters}), by lower-case name; the others have their default
 */
public record RegisteredServer(ServerKey key, String location, Map<String, String> tags, String host, int port,
                               String sslMode, String sslRootCertificate, String administratorLogin,
                               String restartCommand, String version, Instant createdAt, Instant updatedAt,
                               String hostProblem, Map<String, String> parameters) {

    public RegisteredServer {
        tags = tags == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        // null in registrations stored before parameters existed
        parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(parameters));
    }

    public RegisteredServer(ServerKey key, String location, Map<String, String> tags, String host, int port,
                            String sslMode, String sslRootCertificate, String administratorLogin,
                            String restartCommand, String version, Instant createdAt, Instant updatedAt,
                            String hostProblem) {
        this(key, location, tags, host, port, sslMode, sslRootCertificate, administratorLogin, restartCommand, version,
                createdAt, updatedAt, hostProblem, Map.of());
    }

    /** A server whose host resolved (or was not checked). */
    public RegisteredServer(ServerKey key, String location, Map<String, String> tags, String host, int port,
                            String sslMode, String sslRootCertificate, String administratorLogin,
                            String restartCommand, String version, Instant createdAt, Instant updatedAt) {
        this(key, location, tags, host, port, sslMode, sslRootCertificate, administratorLogin, restartCommand, version,
                createdAt, updatedAt, null);
    }

    /** The registration with the outcome of a new host lookup. */
    public RegisteredServer withHostProblem(String problem) {
        return new RegisteredServer(key, location, tags, host, port, sslMode, sslRootCertificate, administratorLogin,
                restartCommand, version, createdAt, updatedAt, problem, parameters);
    }

    /** The registration with these user-set parameters (the complete map), changed at {@code when}. */
    public RegisteredServer withParameters(Map<String, String> values, Instant when) {
        return new RegisteredServer(key, location, tags, host, port, sslMode, sslRootCertificate, administratorLogin,
                restartCommand, version, createdAt, when, hostProblem, values);
    }
}
