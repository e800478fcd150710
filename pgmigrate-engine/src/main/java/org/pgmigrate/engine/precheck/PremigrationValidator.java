package org.pgmigrate.engine.precheck;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.catalog.TableSelection;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgConnector.Side;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.ServerVersion;
import org.pgmigrate.engine.pg.SupportedVersions;

/**
 * Premigration validation: tells, before any data moves, whether a migration can succeed, and how to fix what
 * would stop it. Server-level checks (connectivity and credentials, versions and client tools, server parameters,
 * privileges) then, per database, schema, extensions, collations, online fitness, SECURITY DEFINER functions, owners
 * that change when roles are not migrated, and size. Read-only on both servers.
 *
 * <p>Thread-safe and stateless; blocks for the few seconds the queries take.
 */
public final class PremigrationValidator {

    private final PgConnector connector;
    private final List<Path> toolSearchPath;

    public PremigrationValidator(PgConnector connector, List<Path> toolSearchPath) {
        this.connector = connector;
        this.toolSearchPath = List.copyOf(toolSearchPath);
    }

    public ValidationReport validate(ValidationRequest request) {
        Instant started = Instant.now();
        List<CheckResult> server = new ArrayList<>();
        List<ValidationReport.DatabaseChecks> databases = new ArrayList<>();
        CheckResult.Builder connectivity = new CheckResult.Builder("AuthenticationAndConnectivityValidation");
        Connection source = connectToSourceServer(request, connectivity);
        Connection target = tryConnect(request.target().withDatabase("postgres"), Side.TARGET, connectivity);
        try {
            if (source != null && target != null) {
                connectivity.ok("Connected to the source " + request.source().address() + " and the target "
                        + request.target().address() + " (sslmode " + request.source().sslMode().libpqName() + " / "
                        + request.target().sslMode().libpqName() + ").");
            }
            server.add(connectivity.build());
            if (source == null || target == null) {
                return finish(started, server, databases);
            }
            ServerVersion sourceVersion = ServerVersion.of(source);
            ServerVersion targetVersion = ServerVersion.of(target);
            server.add(ServerChecks.versions(sourceVersion, targetVersion, request.online(), toolSearchPath));
            if (!SupportedVersions.within(sourceVersion, targetVersion)) {
                // The other checks read catalogs as supported versions have them; the version check says what to do.
                return finish(started, server, databases);
            }
            server.add(ServerChecks.parameters(source, sourceVersion, target, request.online(), request.databases().size()));
            server.add(ServerChecks.privileges(source, target, targetVersion, request.online(), request.roles()));
            boolean targetSuperuser = "on".equals(ServerChecks.stringQuery(target, "SELECT current_setting('is_superuser')"));
            String targetUser = ServerChecks.stringQuery(target, "SELECT current_user");
            for (String db : request.databases()) {
                databases.add(validateDatabase(request, db, target, sourceVersion, targetVersion, targetUser, targetSuperuser));
            }
            return finish(started, server, databases);
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Validation failed unexpectedly: " + e.getMessage(), e);
        } finally {
            close(source);
            close(target);
        }
    }

    private ValidationReport.DatabaseChecks validateDatabase(ValidationRequest request, String db, Connection target,
                                                             ServerVersion sourceVersion, ServerVersion targetVersion,
                                                             String targetUser, boolean targetSuperuser)
            throws SQLException {
        Instant started = Instant.now();
        List<CheckResult> summary = new ArrayList<>();
        Connection source;
        try {
            source = connector.open(request.source().withDatabase(db), Side.SOURCE, "validate");
        } catch (EngineException e) {
            String message = e.error() == EngineError.DATABASE_NOT_FOUND
                    ? "Database " + db + " does not exist on the source " + request.source().address()
                            + ". Check dbsToMigrate (names are case-sensitive)."
                    : e.getMessage();
            summary.add(new CheckResult.Builder("SchemaValidation").fail(message).build());
            return new ValidationReport.DatabaseChecks(db, started, Instant.now(), summary);
        }
        try {
            summary.add(DatabaseValidation.schema(source, target, db, request.overwriteDbsInTarget()));
            TableSelection selection = request.filter().isEmpty() ? TableSelection.ALL
                    : filters(source, request.filter(), db, summary);
            summary.add(DatabaseValidation.extensions(source, target, targetSuperuser, targetVersion, db,
                    request.skips(), selection));
            summary.add(DatabaseValidation.collations(source, target, sourceVersion, targetVersion, db));
            summary.add(RestoreFeasibility.casts(source, db, targetSuperuser));
            summary.add(RestoreFeasibility.catalogGrants(source, db, targetSuperuser));
            summary.add(RestoreFeasibility.languages(source, target, db));
            summary.add(RestoreFeasibility.cBaseTypes(source, db, targetSuperuser));
            if (request.online()) {
                summary.add(DatabaseValidation.onlineReplication(source, request.allowReplicaIdentityFull(),
                        request.skips()));
            }
            summary.add(OwnershipValidation.securityDefinerFunctions(source, db, targetUser, targetSuperuser,
                    request.roles()));
            summary.add(OwnershipValidation.ownership(source, db, targetUser, request.roles()));
            summary.add(DatabaseValidation.size(source, db, request.skips()));
        } finally {
            close(source);
        }
        return new ValidationReport.DatabaseChecks(db, started, Instant.now(), summary);
    }

    /**
     * The filters name what the database has, and leave nothing on the target depending on what they leave out: adds
     * that check to {@code summary} and returns the selection the filters make, or everything when they do not
     * resolve (the other checks then judge the whole database).
     */
    private static TableSelection filters(Connection source, TableFilter filter, String db, List<CheckResult> summary)
            throws SQLException {
        CheckResult.Builder check = new CheckResult.Builder("TableFilterValidation");
        TableSelection selection = TableSelection.ALL;
        try {
            selection = TableSelection.resolve(source, filter, db);
            check.ok("Filters (" + filter.describe() + ") match database " + db + ".");
        } catch (EngineException e) {
            check.fail(e.getMessage());
        }
        summary.add(check.build());
        return selection;
    }

    /**
     * Server-level checks need some database on the source: the one in its endpoint, else postgres, else the first
     * one to migrate. A database that does not exist is a database-level problem, reported there.
     */
    private Connection connectToSourceServer(ValidationRequest request, CheckResult.Builder check) {
        List<String> candidates = new ArrayList<>();
        if (request.source().database() != null) {
            candidates.add(request.source().database());
        }
        candidates.add("postgres");
        candidates.addAll(request.databases());
        EngineException last = null;
        for (String db : candidates) {
            try {
                return connector.open(request.source().withDatabase(db), Side.SOURCE, "validate");
            } catch (EngineException e) {
                last = e;
                if (e.error() != EngineError.DATABASE_NOT_FOUND) {
                    break;
                }
            }
        }
        check.fail(withSslHint(last.getMessage()));
        return null;
    }

    private static String withSslHint(String message) {
        return message.contains("does not support SSL")
                ? message + " Set sslMode to Prefer (or Disable), or enable ssl on that server." : message;
    }

    private Connection tryConnect(PgEndpoint endpoint, Side side, CheckResult.Builder check) {
        try {
            return connector.open(endpoint, side, "validate");
        } catch (EngineException e) {
            check.fail(withSslHint(e.getMessage()));
            return null;
        }
    }

    private static ValidationReport finish(Instant started, List<CheckResult> server,
                                           List<ValidationReport.DatabaseChecks> databases) {
        CheckState status = CheckState.Succeeded;
        for (CheckResult r : server) {
            status = status.and(r.state());
        }
        for (ValidationReport.DatabaseChecks d : databases) {
            for (CheckResult r : d.summary()) {
                status = status.and(r.state());
            }
        }
        return new ValidationReport(status, started, Instant.now(), server, databases);
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // read-only session; nothing to lose
            }
        }
    }
}
