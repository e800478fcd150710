package org.pgmigrate.engine.cdc.pgoutput;

/** A pgoutput message that pgmigrate cannot decode; replication stops rather than guess. */
public final class UnknownMessageException extends RuntimeException {

    public UnknownMessageException(String message) {
        super(message);
    }
}
