package org.pgmigrate.engine.pg;

import java.io.IOException;
import java.sql.SQLException;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

/**
 * Tells a broken connection from a server that refused a statement: what a reconnect (change capture, apply) or a
 * new attempt (a COPY part) can get past, as opposed to an error that would only happen again.
 */
public final class ConnectionLoss {

    private ConnectionLoss() {
    }

    /**
     * True when {@code t} (or a cause) says the connection broke: SQLSTATE class 08, the backend terminated or its
     * server shutting down or starting (57P01, 57P02, 57P03), an I/O error, or a server pgmigrate could not reach.
     */
    public static boolean isLost(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EngineException e && (e.error() == EngineError.SOURCE_UNREACHABLE
                    || e.error() == EngineError.TARGET_UNREACHABLE)) {
                return true;
            }
            if (c instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
            if (c instanceof IOException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
