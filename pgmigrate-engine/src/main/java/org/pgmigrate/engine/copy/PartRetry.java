package org.pgmigrate.engine.copy;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

/**
 * When a failed part is copied again, and how often: a failure that the next attempt can plausibly not meet is
 * retried {@link #ATTEMPTS} times in all, after pauses of 1 s and 4 s; anything else fails the database at once.
 *
 * <p>Transient: the connection was lost (SQLSTATE class 08, an I/O error, a server that cannot be reached), the
 * backend was terminated or its server shut down or is starting (57P01, 57P02, 57P03), a serialization failure or
 * deadlock (40001, 40P01), too many connections (53300; others end). Not transient: everything else, including the
 * rest of class 53 (a full disk, out of memory, a configured limit do not go away within seconds, and a retry would
 * copy the part again for nothing), data and constraint errors (22, 23), privileges (42501), and a cancel (57014).
 */
final class PartRetry {

    static final int ATTEMPTS = 3;
    private static final Duration[] PAUSES = {Duration.ofSeconds(1), Duration.ofSeconds(4)};
    private static final Set<String> TRANSIENT_STATES = Set.of("57P01", "57P02", "57P03", "40001", "40P01", "53300");

    private PartRetry() {
    }

    /** True when {@code t}, or a cause of it, is a failure that another attempt may not meet. */
    static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EngineException e) {
                if (e.error() == EngineError.SOURCE_UNREACHABLE || e.error() == EngineError.TARGET_UNREACHABLE) {
                    return true;
                }
                if (e.error() == EngineError.CANCELED) {
                    return false;
                }
            }
            if (c instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                return state.startsWith("08") || TRANSIENT_STATES.contains(state);
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

    /** The pause before attempt {@code attempt} (2 or more). */
    static Duration pauseBefore(int attempt) {
        return PAUSES[Math.min(attempt - 2, PAUSES.length - 1)];
    }
}
