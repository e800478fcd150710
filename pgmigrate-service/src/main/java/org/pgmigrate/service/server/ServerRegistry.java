package org.pgmigrate.service.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.store.MigrationStore;
import org.pgmigrate.service.store.ServerStore;

/**
 * Registers existing PostgreSQL servers under ARM names (PUT, GET, list, DELETE of {@code flexibleServers/{name}}
 * and {@code servers/{name}}). Knows nothing of HTTP. Thread-safe.
 *
 * <p>A server that an active migration uses (as its source or target) can be neither changed nor deleted: the
 * workers resolve the servers again at every step, so a change would point a running migration at another host.
 */
public final class ServerRegistry {

    /** The spec's serverName rule: 3 to 63 characters, alphanumeric groups joined by single hyphens. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*");

    private final ServerStore servers;
    private final MigrationStore migrations;
    private final RestartCommandPolicy restartCommands;

    public ServerRegistry(ServerStore servers, MigrationStore migrations, RestartCommandPolicy restartCommands) {
        this.servers = servers;
        this.migrations = migrations;
        this.restartCommands = restartCommands;
    }

    /** The result of a PUT: the stored server, and whether it was new (201) or replaced (200). */
    public record Registration(RegisteredServer server, boolean created) {
    }

    public Registration register(ServerKey key, ServerDraft draft) {
        checkName(key.name());
        int port = draft.port() == null ? 5432 : draft.port();
        if (port < 1 || port > 65535) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "Property 'properties.port' must be 1 to "
                    + "65535, was " + port + ".", "properties.port");
        }
        if (draft.host().contains("/") || draft.host().contains(" ")) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "Property 'properties.fullyQualifiedDomainName' "
                    + "must be a host name or IP address, was '" + draft.host() + "'.", "properties.fullyQualifiedDomainName");
        }
        String restartCommand = draft.restartCommand() == null || draft.restartCommand().isBlank() ? null
                : draft.restartCommand();
        restartCommands.checkRegistration(restartCommand);
        Instant now = Instant.now();
        Optional<RegisteredServer> existing = servers.find(key);
        RegisteredServer server = new RegisteredServer(existing.map(RegisteredServer::key).orElse(key),
                draft.location() == null ? existing.map(RegisteredServer::location).orElse("local") : draft.location(),
                draft.tags(), draft.host(), port, draft.sslMode() == null ? "Prefer" : draft.sslMode(),
                draft.sslRootCertificate(), draft.administratorLogin(), restartCommand, draft.version(),
                existing.map(RegisteredServer::createdAt).orElse(now), now,
                HostResolution.problem(draft.host()).orElse(null),
                // parameters have their own resource (configurations/{name}): a PUT of the server keeps them
                existing.map(RegisteredServer::parameters).orElse(Map.of()));
        if (existing.isPresent() && sameContent(existing.get(), server)) {
            // a retried PUT changes nothing, so it is allowed; it looks the host up again
            if (Objects.equals(existing.get().hostProblem(), server.hostProblem())) {
                return new Registration(existing.get(), false);
            }
            RegisteredServer rechecked = existing.get().withHostProblem(server.hostProblem());
            servers.upsert(rechecked);
            return new Registration(rechecked, false);
        }
        // also for a server not registered yet: a migration may name it and give its host by FQDN
        refuseWhileInUse(key, "changed");
        boolean created = servers.upsert(server);
        return new Registration(server, created);
    }

    /**
     * Sets one server parameter of a registered flexible server ({@code PUT .../configurations/{name}}); a null
     * value puts it back to its default. Allowed while migrations use the server: a migration reads the parameters
     * when each database starts, as Azure's dynamic parameters take effect without a restart.
     */
    public RegisteredServer setParameter(ServerKey key, String name, String value) {
        RegisteredServer server = get(key);
        ServerParameters.Definition definition = ServerParameters.require(name);
        Map<String, String> values = new java.util.TreeMap<>(server.parameters());
        if (value == null) {
            values.remove(definition.name());
        } else {
            values.put(definition.name(), definition.normalize(value));
        }
        RegisteredServer changed = server.withParameters(values, Instant.now());
        servers.upsert(changed);
        return changed;
    }

    public RegisteredServer get(ServerKey key) {
        return servers.find(key).orElseThrow(() -> notFound(key));
    }

    public Optional<RegisteredServer> find(ServerKey key) {
        return servers.find(key);
    }

    /** One kind's servers; a null subscription or resource group means all of them. */
    public List<RegisteredServer> list(String subscription, String resourceGroup, ServerKind kind) {
        return servers.list(subscription, resourceGroup, kind);
    }

    /** Unregisters; refuses while an active migration uses the server. Returns false when it was not registered. */
    public boolean delete(ServerKey key) {
        refuseWhileInUse(key, "deleted");
        return servers.delete(key);
    }

    /** 409 ServerInUse naming every active (not finished) migration that has the server as source or target. */
    private void refuseWhileInUse(ServerKey key, String verb) {
        List<String> users = new ArrayList<>();
        for (Migration m : migrations.listActive()) {
            boolean target = key.kind() == ServerKind.FLEXIBLE && m.key().target().sameAs(key);
            String source = m.spec().sourceDbServerResourceId();
            boolean isSource = ServerKey.isResourceId(source) && safeParse(source).map(key::sameAs).orElse(false);
            if (target || isSource) {
                users.add("'" + m.key().name() + "' (" + (target && isSource ? "source and target" : target ? "target"
                        : "source") + ", " + m.status() + (target ? "" : ", on target server '" + m.key().target().name()
                        + "'") + ")");
            }
        }
        if (!users.isEmpty()) {
            throw new ServiceException(ServiceError.SERVER_IN_USE, "Server '" + key.name() + "' cannot be " + verb
                    + " while active migrations use it: " + String.join(", ", users) + ". Wait for "
                    + (users.size() > 1 ? "them" : "it") + " to finish, or cancel " + (users.size() > 1 ? "them" : "it")
                    + " (pgmigrate migration update --cancel), then try again.");
        }
    }

    /** Everything a PUT sets, compared; timestamps aside. */
    private static boolean sameContent(RegisteredServer a, RegisteredServer b) {
        return a.location().equals(b.location()) && a.tags().equals(b.tags()) && a.host().equals(b.host())
                && a.port() == b.port() && a.sslMode().equals(b.sslMode())
                && Objects.equals(a.sslRootCertificate(), b.sslRootCertificate())
                && Objects.equals(a.administratorLogin(), b.administratorLogin())
                && Objects.equals(a.restartCommand(), b.restartCommand()) && Objects.equals(a.version(), b.version());
    }

    static ServiceException notFound(ServerKey key) {
        return new ServiceException(ServiceError.RESOURCE_NOT_FOUND, "The Resource '" + key.kind().armType() + "/"
                + key.name() + "' under resource group '" + key.resourceGroup() + "' was not found. Register it with "
                + "PUT " + key.id() + " (pgmigrate server create).");
    }

    private static void checkName(String name) {
        if (name.length() < 3 || name.length() > 63 || !NAME.matcher(name).matches()) {
            throw new ServiceException(ServiceError.INVALID_RESOURCE_NAME, "The server name '" + name + "' is invalid: "
                    + "use 3 to 63 letters, digits and hyphens, not starting or ending with a hyphen.", "serverName");
        }
    }

    private static Optional<ServerKey> safeParse(String id) {
        try {
            return Optional.of(ServerKey.parseResourceId(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
