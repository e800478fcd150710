package org.pgmigrate.service.server;

import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

/**
 * Whether this node runs the {@code restartCommand} of registered servers. A restart command is a shell command run
 * as the service's OS user, so accepting one from the API would give every token holder a shell on the service's
 * host: it is off unless the operator starts {@code pgmigrate serve} with {@value #FLAG}. Off, a registration that
 * carries one is refused, and a command stored before is never run. Immutable.
 */
public record RestartCommandPolicy(boolean allowed) {

    /** The serve option that turns restart commands on; named in every refusal. */
    public static final String FLAG = "--allow-restart-commands";

    public static final RestartCommandPolicy REFUSED = new RestartCommandPolicy(false);
    public static final RestartCommandPolicy ALLOWED = new RestartCommandPolicy(true);

    /** Refuses a registration that carries a restart command when they are off (400 FeatureNotSupported). */
    void checkRegistration(String restartCommand) {
        if (!allowed && restartCommand != null) {
            throw new ServiceException(ServiceError.FEATURE_NOT_SUPPORTED, "Property 'properties.restartCommand' is "
                    + "refused: this pgmigrate service does not run restart commands, because a restart command runs "
                    + "as a shell command on the service's host. Register the server without restartCommand (pgmigrate "
                    + "then says how to restart the source by hand), or have the operator start the service with 'pgmigrate "
                    + "serve " + FLAG + "'.", "properties.restartCommand");
        }
    }

    /** Why a stored restart command is not run (when they are off). */
    public String notRunReason() {
        return "the source server's registered restart command was not run, because this pgmigrate service was started "
                + "without " + FLAG + " (restart commands run as shell commands on the service's host, so they are off "
                + "unless the operator turns them on)";
    }
}
