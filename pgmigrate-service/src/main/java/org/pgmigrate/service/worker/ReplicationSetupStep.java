package org.pgmigrate.service.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.server.Endpoints;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.RestartCommandPolicy;
import org.pgmigrate.service.store.SourceCleanup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online migration's logical replication prerequisite, on the worker's side of the state machine (spec 2.11):
 * a source without {@code wal_level=logical} (or without free slots and WAL senders) makes the migration wait in
 * {@code WaitingForUserAction/WaitingForLogicalReplicationSetupRequestOnSourceDB}. With
 * {@code setupLogicalReplicationOnSourceDbIfNeeded=True} pgmigrate runs {@code ALTER SYSTEM} and restarts the source
 * with the restart command registered with the server, if this node allows restart commands
 * ({@link RestartCommandPolicy}); otherwise each database's {@code message} says exactly what to run, and the migration goes on by itself once the settings are live ({@link #awaitLive} polls).
 *
 * <p>Runs on the migration's thread. Blocks on the source and on the restart command. Not thread-safe.
 */
final class ReplicationSetupStep {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSetupStep.class);
    private static final Duration RESTART_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration LIVE_AFTER_RESTART = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofSeconds(2);
    static final String WAITING = "Waiting for logical replication setup";

    private final RunControl run;
    private final WorkerContext ctx;
    private final LogicalReplicationSetup setup;
    private final RestartCommandRunner restarts = new RestartCommandRunner();

    ReplicationSetupStep(RunControl run, WorkerContext ctx) {
        this.run = run;
        this.ctx = ctx;
        this.setup = new LogicalReplicationSetup(new PgConnector());
    }

    /**
     * Whether the source is ready for the online migration of {@code dbs}. If not, sets it up when allowed, and
     * otherwise moves the migration (still {@code expected}) to the wait; returns false when the status moved.
     */
    boolean ready(Migration m, MigrationStatus expected, Endpoints endpoints, List<String> dbs) {
        LogicalReplicationSetup.Readiness r;
        try {
            r = setup.inspect(endpoints.source(), dbs.size());
        } catch (EngineException e) {
            run.fail(expected, e.getMessage());
            return false;
        }
        if (r.ready()) {
            return true;
        }
        Optional<String> restartCommand = ctx.resolver().registeredSource(m.spec()).map(RegisteredServer::restartCommand)
                .filter(c -> !c.isBlank());
        boolean mayRestart = restartCommand.isPresent() && ctx.restartCommands().allowed();
        if (!m.spec().setupLogicalReplicationOnSourceDbIfNeeded()) {
            wait(expected, dbs, r.problem() + " Run pgmigrate migration update --setup-replication (PATCH "
                    + "setupLogicalReplicationOnSourceDbIfNeeded=True) to let pgmigrate set it with ALTER SYSTEM and "
                    + (mayRestart ? "restart the source with its registered restart command."
                    : restartCommand.isPresent() ? "tell you how to restart the source (its registered restart command "
                    + "is not run: this service was started without " + RestartCommandPolicy.FLAG + ")."
                    : "tell you how to restart the source (register a restart command with the source server, on a "
                    + "service started with " + RestartCommandPolicy.FLAG + ", to let pgmigrate restart it).")
                    + " Or cancel the migration.");
            return false;
        }
        List<String> statements = r.statements();
        String sql = String.join("; ", statements) + ";";
        try {
            // Recorded first, per migration: undone if it ends without a cutover (SourceCleanups).
            setup.alterSystem(endpoints.source(), r.settings(), ctx.cleanups().log(m, SourceCleanup.SERVER,
                    endpoints.source().withDatabase(null)));
        } catch (EngineException e) {
            wait(expected, dbs, r.problem() + " pgmigrate could not change it as user " + r.user() + " ("
                    + e.getMessage() + "). As a superuser on the source run: " + sql + " Then restart the source, "
                    + r.restartHint() + ". The migration goes on by itself once the settings are live.");
            return false;
        }
        if (restartCommand.isEmpty()) {
            wait(expected, dbs, "pgmigrate ran " + sql + " on the source server " + r.address() + "; the settings take "
                    + "effect only after a restart, and the source server has no registered restart command. Restart "
                    + "the source now, " + r.restartHint() + ". The migration goes on by itself once wal_level is "
                    + "logical.");
            return false;
        }
        if (!ctx.restartCommands().allowed()) {
            wait(expected, dbs, "pgmigrate ran " + sql + " on the source server " + r.address() + "; the settings take "
                    + "effect only after a restart, but " + ctx.restartCommands().notRunReason() + ". Restart the "
                    + "source now, " + r.restartHint() + " (or start pgmigrate serve with " + RestartCommandPolicy.FLAG
                    + " and ask for the setup again). The migration goes on by itself once wal_level is logical.");
            return false;
        }
        run.updateMigration(x -> withMessages(x, dbs, "Restarting the source server", null));
        LOG.info("Restarting the source server {} with its registered restart command (waiting up to {} s).",
                r.address(), RESTART_TIMEOUT.toSeconds());
        RestartCommandRunner.Outcome outcome = restarts.run(restartCommand.get(), RESTART_TIMEOUT,
                Arrays.asList(endpoints.source().password(), endpoints.target().password()));
        LOG.info("The source's restart command {}.", outcome.description()); // its output stays out of the log
        if (!outcome.succeeded()) {
            String next = ". Restart the source yourself, " + r.restartHint() + ". The migration goes on by itself once "
                    + "wal_level is logical.";
            wait(expected, dbs, "pgmigrate ran " + sql + " on the source server " + r.address() + ", but its restart "
                    + "command " + outcome.description() + (outcome.excerpt().isEmpty() ? "" : " (end of its output: "
                    + outcome.excerpt() + ")") + next, "pgmigrate ran " + sql + " on the source server " + r.address()
                    + ", but its restart command " + outcome.description() + next);
            return false;
        }
        Instant deadline = ctx.clock().instant().plus(LIVE_AFTER_RESTART);
        String last = r.problem();
        while (!run.isShuttingDown() && ctx.clock().instant().isBefore(deadline)) {
            try {
                LogicalReplicationSetup.Readiness now = setup.inspect(endpoints.source(), dbs.size());
                if (now.ready()) {
                    LOG.info("Logical replication is live on the source {} after its restart.", r.address());
                    return true;
                }
                last = now.problem();
            } catch (EngineException e) {
                last = e.getMessage(); // still starting up
            }
            run.pause(POLL);
        }
        wait(expected, dbs, "pgmigrate ran " + sql + " and the source's restart command, but the settings are not "
                + "live: " + last + " Restart the source yourself, " + r.restartHint() + ". The migration goes on by "
                + "itself once wal_level is logical.");
        return false;
    }

    /**
     * In the wait, after the user asked for the setup: polls the source until the settings are live, then goes back
     * to the prerequisites. Returns when the status moves (a cancel, a PATCH) or the service stops.
     */
    void awaitLive(Migration m) {
        Endpoints endpoints = run.endpoints(m, MigrationStatus.LOGICAL_REPLICATION_SETUP);
        if (endpoints == null) {
            return;
        }
        List<String> dbs = m.spec().dbsToMigrate();
        while (!run.isShuttingDown()) {
            Migration now = ctx.store().findById(m.migrationId()).orElse(null);
            if (now == null || !now.status().equals(MigrationStatus.LOGICAL_REPLICATION_SETUP)
                    || !now.spec().setupLogicalReplicationOnSourceDbIfNeeded()) {
                return;
            }
            try {
                if (setup.inspect(endpoints.source(), dbs.size()).ready()) {
                    LOG.info("Logical replication is live on the source; the migration goes on.");
                    run.advance(MigrationStatus.LOGICAL_REPLICATION_SETUP, x -> withMessages(x, dbs, "Queued", null)
                            .moveTo(MigrationStatus.PREREQUISITES));
                    return;
                }
            } catch (EngineException e) {
                LOG.debug("The source is not reachable yet: {}", e.getMessage());
            }
            run.pause(POLL);
        }
    }

    private void wait(MigrationStatus expected, List<String> dbs, String message) {
        wait(expected, dbs, message, message);
    }

    /** {@code logged} is what the log gets: the message without the restart command's output. */
    private void wait(MigrationStatus expected, List<String> dbs, String message, String logged) {
        LOG.info("Waiting for logical replication on the source: {}", logged);
        run.advance(expected, x -> withMessages(x, dbs, WAITING, message).moveTo(MigrationStatus.LOGICAL_REPLICATION_SETUP));
    }

    private static Migration withMessages(Migration m, List<String> dbs, String operation, String message) {
        Migration x = m;
        for (String db : dbs) {
            x = x.withDatabase(db, d -> d.migrationState().isFinished() ? d
                    : d.withState(DatabaseMigrationState.IN_PROGRESS, operation, message));
        }
        return x;
    }
}
