package org.pgmigrate.service.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerDraft;

/**
 * Server registrations on the wire, shaped like ARM's flexibleServers/servers resources:
 * {@code {"location", "tags", "properties": {"fullyQualifiedDomainName", "port", "sslMode", "sslRootCertificate",
 * "administratorLogin", "restartCommand", "version"}}}; {@code host} is accepted for fullyQualifiedDomainName.
 * Responses add {@code "state"}: {@code Ready}, or {@code Inaccessible} with a {@code stateMessage} when the host did
 * not resolve at registration. Stateless.
 */
public final class ServerResources {

    private static final Set<String> PROPERTIES = Set.of("fullyQualifiedDomainName", "host", "port", "sslMode",
            "sslRootCertificate", "administratorLogin", "restartCommand", "version");

    private ServerResources() {
    }

    public static ServerDraft parsePut(ObjectNode body) {
        Fields top = new Fields(body, "").allowOnly(Set.of("location", "tags", "properties"),
                Set.of("id", "name", "type", "systemData", "sku"));
        Fields p = top.object("properties");
        if (p == null) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "Property 'properties' is required: "
                    + "{\"properties\": {\"fullyQualifiedDomainName\": \"db.example.com\", \"port\": 5432}}.", "properties");
        }
        p.allowOnly(PROPERTIES, Set.of("state", "stateMessage", "fullyQualifiedDomainNameLabel"));
        if (p.has("fullyQualifiedDomainName") && p.has("host")) {
            throw p.bad("Give either 'fullyQualifiedDomainName' or its alias 'host', not both.", "host");
        }
        String host = p.has("host") ? p.text("host") : p.text("fullyQualifiedDomainName");
        if (host == null || host.isBlank()) {
            throw p.bad("Property 'properties.fullyQualifiedDomainName' is required: the server's host name or IP "
                    + "address.", "fullyQualifiedDomainName");
        }
        return new ServerDraft(top.text("location"), top.stringMap("tags"), host.trim(), p.integer("port"),
                MigrationRequests.sslMode(p), p.text("sslRootCertificate"), p.text("administratorLogin"),
                p.text("restartCommand"), p.text("version"));
    }

    /** Lists go by resource group, then name, as the ids order them (ARM names compare without case). */
    public static String listOrder(RegisteredServer s) {
        return s.key().id().toLowerCase(Locale.ROOT);
    }

    public static ObjectNode write(RegisteredServer s) {
        ObjectNode root = JsonBodies.object();
        root.put("id", s.key().id());
        root.put("name", s.key().name());
        root.put("type", s.key().kind().armType());
        root.put("location", s.location());
        ObjectNode tags = root.putObject("tags");
        s.tags().forEach(tags::put);
        ObjectNode system = root.putObject("systemData");
        system.put("createdAt", s.createdAt().toString());
        system.put("lastModifiedAt", s.updatedAt().toString());
        ObjectNode p = root.putObject("properties");
        p.put("fullyQualifiedDomainName", s.host());
        p.put("port", s.port());
        p.put("sslMode", s.sslMode());
        if (s.sslRootCertificate() != null) {
            p.put("sslRootCertificate", s.sslRootCertificate());
        }
        if (s.administratorLogin() != null) {
            p.put("administratorLogin", s.administratorLogin());
        }
        if (s.restartCommand() != null) {
            p.put("restartCommand", s.restartCommand());
        }
        if (s.version() != null) {
            p.put("version", s.version());
        }
        // Azure's ServerState has no "does not resolve"; Inaccessible is the closest, and stateMessage says why.
        p.put("state", s.hostProblem() == null ? "Ready" : "Inaccessible");
        if (s.hostProblem() != null) {
            p.put("stateMessage", s.hostProblem());
        }
        return root;
    }
}
