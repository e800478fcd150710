package org.pgmigrate.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import org.pgmigrate.service.arm.JsonBodies;

/** Writes JSON responses. Stateless. */
public final class Responses {

    static final String JSON = "application/json; charset=utf-8";

    private Responses() {
    }

    public static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType(JSON).result(JsonBodies.write(body));
    }
}
