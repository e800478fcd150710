package org.pgmigrate.service.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.security.BearerToken;

/**
 * Requires {@code Authorization: Bearer <token>} on every request, /healthz and /metrics included: the token is
 * the only thing between the network and the database passwords the service holds. Answers 401 as ARM does.
 * Thread-safe.
 */
final class BearerAuthentication implements Handler {

    private final BearerToken token;

    BearerAuthentication(BearerToken token) {
        this.token = token;
    }

    @Override
    public void handle(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"pgmigrate\"");
            throw new ServiceException(ServiceError.AUTHENTICATION_MISSING, "Authentication failed. The 'Authorization' "
                    + "header is missing. Send 'Authorization: Bearer <token>' with the token from the service's data "
                    + "directory (file 'token').");
        }
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7) : null;
        if (!token.matches(presented)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"pgmigrate\", error=\"invalid_token\"");
            throw new ServiceException(ServiceError.INVALID_TOKEN, "The access token is invalid. Use the token in the "
                    + "service's data directory (file 'token'), as 'Authorization: Bearer <token>'.");
        }
    }
}
