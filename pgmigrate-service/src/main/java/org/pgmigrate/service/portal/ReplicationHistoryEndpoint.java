package org.pgmigrate.service.portal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.api.ArmPath;
import org.pgmigrate.service.api.Responses;
import org.pgmigrate.service.arm.JsonBodies;
import org.pgmigrate.service.arm.MigrationResources;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationService;

/**
 * {@code GET .../flexibleServers/{server}/migrations/{name}/replicationHistory[?since=<time>]} (a pgmigrate
 * extension): each database's latency and pending bytes over the last hour, for the portal's chart. Thread-safe.
 */
final class ReplicationHistoryEndpoint {

    static final String PATH = ArmPath.PROVIDER + "/flexibleServers/{serverName}/migrations/{migrationName}/replicationHistory";

    private final MigrationService migrations;
    private final ReplicationHistory history;
    private final Duration interval;

    ReplicationHistoryEndpoint(MigrationService migrations, ReplicationHistory history, Duration interval) {
        this.migrations = migrations;
        this.history = history;
        this.interval = interval;
    }

    void get(Context ctx) {
        ArmPath.checkApiVersion(ctx, MigrationResources.TYPE);
        Migration m = migrations.get(ArmPath.migration(ctx));
        Instant since = since(ctx.queryParam("since"));
        ObjectNode root = JsonBodies.object();
        root.put("intervalSeconds", interval.toMillis() / 1000.0);
        ArrayNode value = root.putArray("value");
        for (Map.Entry<String, List<ReplicationHistory.Sample>> e : history.samples(m.migrationId(), since).entrySet()) {
            ObjectNode db = value.addObject().put("databaseName", e.getKey());
            ArrayNode samples = db.putArray("samples");
            for (ReplicationHistory.Sample s : e.getValue()) {
                samples.addObject().put("time", s.time().toString()).put("latency", s.latencySeconds())
                        .put("pendingBytes", s.pendingBytes());
            }
        }
        Responses.json(ctx, 200, root);
    }

    private static Instant since(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, "since must be a UTC time such as "
                    + "2026-01-31T12:00:00Z (the time of the last sample you have), was '" + text + "'.", "since");
        }
    }
}
