package org.pgmigrate.service.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.arm.JsonBodies;

/**
 * Reads request bodies, never more than {@link #MAX_BYTES} of them, however they are framed. Javalin's own limit
 * ({@code ctx.body()}) only compares the Content-Length header with its maximum, so a chunked body (which has no
 * Content-Length) would be read whole into memory: handlers read bodies here, never with {@code ctx.body()}.
 * Stateless.
 */
public final class RequestBodies {

    /** ARM bodies are small (the largest is a migration with 50 databases): 1 MiB is generous. */
    static final int MAX_BYTES = 1024 * 1024;

    private RequestBodies() {
    }

    /** The body as a JSON object (400 when it is not one, 413 when it is larger than {@link #MAX_BYTES}). */
    public static ObjectNode jsonObject(Context ctx) {
        return JsonBodies.parseObject(read(ctx));
    }

    static String read(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BYTES) {
            throw tooLarge(ctx, declared + " bytes");
        }
        byte[] body;
        try {
            // one byte more than allowed tells a body at the limit from a larger one
            body = ctx.req().getInputStream().readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "The request content could not be read: "
                    + e.getMessage() + ". Send it again.");
        }
        if (body.length > MAX_BYTES) {
            throw tooLarge(ctx, "more than " + MAX_BYTES + " bytes");
        }
        String encoding = ctx.req().getCharacterEncoding();
        return new String(body, encoding == null || !Charset.isSupported(encoding) ? StandardCharsets.UTF_8
                : Charset.forName(encoding));
    }

    private static ServiceException tooLarge(Context ctx, String size) {
        // the rest of the body is not read: the connection closes after the answer
        ctx.header("Connection", "close");
        return new ServiceException(ServiceError.REQUEST_TOO_LARGE, "The request content is too large (" + size
                + "); the limit is " + MAX_BYTES + " bytes. A request body is a resource's JSON, which is far smaller.");
    }
}
