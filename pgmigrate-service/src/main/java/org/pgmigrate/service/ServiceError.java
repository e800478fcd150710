package org.pgmigrate.service;

/**
 * What went wrong in a request, with the ARM error code and the HTTP status the API answers with. A user's mistake
 * is always a 4xx; only {@link #INTERNAL} and {@link #STORE_UNAVAILABLE} (transient: retry) are 5xx.
 */
public enum ServiceError {
    MISSING_API_VERSION(400, "MissingApiVersionParameter"),
    INVALID_API_VERSION(400, "InvalidApiVersionParameter"),
    UNSUPPORTED_API_VERSION(400, "NoRegisteredProviderFound"),
    INVALID_REQUEST_CONTENT(400, "InvalidRequestContent"),
    INVALID_PARAMETER_VALUE(400, "InvalidParameterValue"),
    INVALID_RESOURCE_NAME(400, "InvalidResourceName"),
    FEATURE_NOT_SUPPORTED(400, "FeatureNotSupported"),
    CUTOVER_NOT_ALLOWED_OFFLINE(400, "CutoverNotAllowedForOfflineMigration"),
    AUTHENTICATION_MISSING(401, "AuthenticationFailed"),
    INVALID_TOKEN(401, "InvalidAuthenticationToken"),
    RESOURCE_NOT_FOUND(404, "ResourceNotFound"),
    PARENT_RESOURCE_NOT_FOUND(404, "ParentResourceNotFound"),
    ROUTE_NOT_FOUND(404, "NotFound"),
    METHOD_NOT_ALLOWED(405, "MethodNotAllowed"),
    RESOURCE_ALREADY_EXISTS(409, "ResourceAlreadyExists"),
    DATABASE_IN_ACTIVE_MIGRATION(409, "DatabaseAlreadyInActiveMigration"),
    INVALID_MIGRATION_STATE(409, "OperationNotAllowedInCurrentState"),
    SERVER_IN_USE(409, "ServerInUse"),
    REQUEST_TOO_LARGE(413, "RequestEntityTooLarge"),
    INTERNAL(500, "InternalServerError"),
    STORE_UNAVAILABLE(503, "ServiceUnavailable");

    private final int httpStatus;
    private final String armCode;

    ServiceError(int httpStatus, String armCode) {
        this.httpStatus = httpStatus;
        this.armCode = armCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The {@code error.code} of ARM's ErrorResponse. */
    public String armCode() {
        return armCode;
    }
}
