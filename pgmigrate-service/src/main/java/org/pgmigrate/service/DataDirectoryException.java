package org.pgmigrate.service;

/**
 * The data directory cannot be used: it cannot be created, locked, written or made private. The user's problem
 * (the path they chose, its permissions, its disk), not a bug; the message names the path and the cause.
 */
public final class DataDirectoryException extends RuntimeException {

    public DataDirectoryException(DataDirectory dir, String cause, Throwable e) {
        super("The data dir " + dir + " cannot be used: " + cause, e);
    }
}
