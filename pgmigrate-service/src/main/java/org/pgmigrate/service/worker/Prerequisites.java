package org.pgmigrate.service.worker;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.pg.ServerVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PerformingPreRequisiteSteps checks that need the servers: both are reachable with the given credentials and
 * sslmode, which databases exist on each side, the server versions and how much space their databases take.
 * Connects to each server's maintenance
 * database ({@code postgres}, else {@code template1}). Throws {@link EngineException} with a message for the user.
 * Stateless.
 */
final class Prerequisites {

    private static final Logger LOG = LoggerFactory.getLogger(Prerequisites.class);

    /**
     * What the servers said. {@code missingOnSource}: listed databases the source does not have. Storage: the bytes
     * of the databases the user may connect to, null when the server would not say.
     */
    record Findings(String sourceVersion, String targetVersion, ServerVersion sourceServer, ServerVersion targetServer,
                    List<String> missingOnSource, List<String> existingOnTarget, Long sourceStorageBytes,
                    Long targetStorageBytes) {
    }

    private final PgConnector connector;

    Prerequisites(PgConnector connector) {
        this.connector = connector;
    }

    Findings check(PgEndpoint source, PgEndpoint target, List<String> databases) {
        Side src = inspect(source, PgConnector.Side.SOURCE, databases);
        Side tgt = inspect(target, PgConnector.Side.TARGET, databases);
        List<String> missing = new ArrayList<>(databases);
        missing.removeAll(src.present());
        return new Findings(src.version(), tgt.version(), src.server(), tgt.server(), missing,
                new ArrayList<>(tgt.present()), src.storageBytes(), tgt.storageBytes());
    }

    private record Side(String version, ServerVersion server, Set<String> present, Long storageBytes) {
    }

    private Side inspect(PgEndpoint server, PgConnector.Side side, List<String> databases) {
        try (Connection c = openMaintenance(server, side)) {
            String version;
            int versionNum;
            try (PreparedStatement s = c.prepareStatement("SELECT current_setting('server_version'), "
                    + "current_setting('server_version_num')::int"); ResultSet rs = s.executeQuery()) {
                rs.next();
                version = rs.getString(1);
                versionNum = rs.getInt(2);
            }
            Set<String> present = new LinkedHashSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT datname FROM pg_database WHERE datname = ANY (?)")) {
                Array names = c.createArrayOf("text", databases.toArray());
                s.setArray(1, names);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        present.add(rs.getString(1));
                    }
                }
            }
            return new Side(version, new ServerVersion(versionNum), present, storageBytes(c, server));
        } catch (SQLException e) {
            throw new EngineException(EngineError.INTERNAL, "Cannot inspect the " + side.name().toLowerCase() + " server "
                    + server.address() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The sum of {@code pg_database_size} over the databases this user may connect to (all of them by default:
     * PUBLIC has CONNECT), what the data directory holds but WAL and server files. Only informational, so a server
     * that refuses (a database dropped meanwhile) gives null rather than failing the migration.
     */
    private static Long storageBytes(Connection c, PgEndpoint server) {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_catalog.sum(pg_catalog.pg_database_size(d.oid))::int8 "
                + "FROM pg_catalog.pg_database d WHERE pg_catalog.has_database_privilege(d.oid, 'CONNECT')");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            long bytes = rs.getLong(1);
            return rs.wasNull() ? null : bytes;
        } catch (SQLException e) {
            LOG.info("The database sizes of {} are unknown: {}", server.address(), e.getMessage());
            return null;
        }
    }

    private Connection openMaintenance(PgEndpoint server, PgConnector.Side side) {
        try {
            return connector.open(server.withDatabase("postgres"), side, "service");
        } catch (EngineException e) {
            if (e.error() != EngineError.DATABASE_NOT_FOUND) {
                throw e;
            }
            return connector.open(server.withDatabase("template1"), side, "service");
        }
    }
}
