package org.pgmigrate.engine.copy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.ConnectionLoss;

/**
 * When a failed part is copied again, and how often: a failure that the next attempt can plausibly not meet is
 * retried {@link #ATTEMPTS} times in all, after pauses of 1 s and 4 s; anything else fails the database at once.
 *
 * <p>Transient: the connection was lost ({@link ConnectionLoss}: SQLSTATE class 08, an I/O error, a server that
 * cannot be reached, the backend terminated or its server shut down or starting), a serialization failure or
 * deadlock (40001, 40P01), too many connections (53300; others end). Not transient: everything else, including the
 * rest of class 53 (a full disk, out of memory, a configured limit do not go away within seconds, and a retry would
 * copy the part again for nothing), data and constraint errors (22, 23), privileges (42501), and a cancel (57014).
 */
final class PartRetry {

    static final int ATTEMPTS = 3;
    private static final Duration[] PAUSES = {Duration.ofSeconds(1), Duration.ofSeconds(4)};
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "53300");

    private PartRetry() {
    }

    /** True when {@code t}, or a cause of it, is a failure that another attempt may not meet. */
    static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof EngineException e && e.error() == EngineError.CANCELED) {
                return false; // a cancel can break connections too: it is never retried
            }
        }
        if (ConnectionLoss.isLost(t)) {
            return true;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s && s.getSQLState() != null) {
                return TRANSIENT_STATES.contains(s.getSQLState());
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** The pause before attempt {@code attempt} (2 or more). */
    static Duration pauseBefore(int attempt) {
        return PAUSES[Math.min(attempt - 2, PAUSES.length - 1)];
    }
}
