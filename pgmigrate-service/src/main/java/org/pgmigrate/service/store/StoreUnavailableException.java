package org.pgmigrate.service.store;

/**
 * The store could not be written for a while (busy: another process holds its lock; full: its disk has no space;
 * an I/O error), after the store's own retries. A transient condition, not a failure of any migration: the workers
 * pause and try again, and the API answers 503.
 */
public final class StoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
