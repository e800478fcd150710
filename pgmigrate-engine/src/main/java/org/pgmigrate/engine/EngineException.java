package org.pgmigrate.engine;

import java.sql.SQLException;

/**
 * The engine's one unchecked exception. The message says what is wrong, with the value, and what to do; the code
 * says what kind of problem it is. The cause and its SQLSTATE are kept.
 */
public final class EngineException extends RuntimeException {

    private final EngineError error;

    public EngineException(EngineError error, String message) {
        super(message);
        this.error = error;
    }

    public EngineException(EngineError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public EngineError error() {
        return error;
    }

    /** The SQLSTATE of the first {@link SQLException} in the cause chain, or null. */
    public String sqlState() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
