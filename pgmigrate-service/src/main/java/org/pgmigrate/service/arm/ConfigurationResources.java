package org.pgmigrate.service.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerParameters;

/**
 * Server parameters on the wire, shaped like ARM's {@code flexibleServers/configurations} resource:
 * {@code {"id", "name", "type", "properties": {"value", "description", "defaultValue", "dataType", "allowedValues",
 * "source", "isReadOnly", "isDynamicConfig", "isConfigPendingRestart"}}}. A PUT or PATCH takes
 * {@code {"properties": {"value": "...", "source": "user-override"}}}; {@code "source": "system-default"} without a
 * value puts the parameter back to its default. Stateless.
 */
public final class ConfigurationResources {

    public static final String TYPE = "Microsoft.DBforPostgreSQL/flexibleServers/configurations";
    private static final String USER = "user-override";
    private static final String DEFAULT = "system-default";

    private ConfigurationResources() {
    }

    /** The value a PUT sets, or null to go back to the default. */
    public static String parseValue(ObjectNode body) {
        Fields top = new Fields(body, "").allowOnly(Set.of("properties"), Set.of("id", "name", "type", "systemData"));
        Fields p = top.object("properties");
        if (p == null) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "Property 'properties' is required: "
                    + "{\"properties\": {\"value\": \"on\", \"source\": \"user-override\"}}.", "properties");
        }
        p.allowOnly(Set.of("value", "source"), Set.of("description", "defaultValue", "dataType", "allowedValues",
                "isReadOnly", "isDynamicConfig", "isConfigPendingRestart", "unit", "documentationLink"));
        String value = p.text("value");
        String source = p.text("source");
        if (source != null && !source.equalsIgnoreCase(USER) && !source.equalsIgnoreCase(DEFAULT)) {
            throw p.bad("Property 'properties.source' must be '" + USER + "' or '" + DEFAULT + "', was '" + source
                    + "'.", "source");
        }
        if (value == null || value.isBlank()) {
            if (source != null && source.toLowerCase(Locale.ROOT).equals(DEFAULT)) {
                return null;
            }
            throw p.bad("Property 'properties.value' is required (or \"source\": \"" + DEFAULT + "\" to reset the"
                    + " parameter to its default).", "value");
        }
        return value;
    }

    public static ObjectNode write(RegisteredServer server, ServerParameters.Definition d) {
        ObjectNode root = JsonBodies.object();
        root.put("id", server.key().id() + "/configurations/" + d.name());
        root.put("name", d.name());
        root.put("type", TYPE);
        ObjectNode p = root.putObject("properties");
        String set = server.parameters().get(d.name());
        p.put("value", set == null ? d.defaultValue() : set);
        p.put("description", d.description());
        p.put("defaultValue", d.defaultValue());
        p.put("dataType", d.dataType());
        p.put("allowedValues", d.dataType().equals("Boolean") ? (d.max() == 1 ? "on,off" : "off") : d.min() + "-" + d.max());
        p.put("source", set == null ? DEFAULT : USER);
        p.put("isReadOnly", false);
        p.put("isDynamicConfig", true);
        p.put("isConfigPendingRestart", false);
        return root;
    }
}
