package org.pgmigrate.service;

/**
 * The service's one unchecked exception: a code (the ARM error and HTTP status), a message that says what is wrong,
 * with the value, and what to do, and optionally the {@code target} (the offending property, such as
 * {@code properties.dbsToMigrate}).
 */
public final class ServiceException extends RuntimeException {

    private final ServiceError error;
    private final String target;

    public ServiceException(ServiceError error, String message) {
        this(error, message, null);
    }

    public ServiceException(ServiceError error, String message, String target) {
        super(message);
        this.error = error;
        this.target = target;
    }

    public ServiceError error() {
        return error;
    }

    /** The property or parameter the error is about, or null. */
    public String target() {
        return target;
    }
}
