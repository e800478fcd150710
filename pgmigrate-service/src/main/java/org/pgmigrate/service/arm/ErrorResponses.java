package org.pgmigrate.service.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pgmigrate.service.ServiceException;

/** ARM's common ErrorResponse: {@code {"error": {"code", "message", "target", "details": []}}}. Stateless. */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    public static ObjectNode of(ServiceException e) {
        return of(e.error().armCode(), e.getMessage(), e.target());
    }

    public static ObjectNode of(String code, String message, String target) {
        ObjectNode root = JsonBodies.object();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (target != null) {
            error.put("target", target);
        } else {
            error.putNull("target");
        }
        error.putArray("details");
        error.putArray("additionalInfo");
        return root;
    }
}
