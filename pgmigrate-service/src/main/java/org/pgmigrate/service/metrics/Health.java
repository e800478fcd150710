package org.pgmigrate.service.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.pgmigrate.engine.cdc.SourceChanges;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.service.migration.MigrationState;
import org.pgmigrate.service.store.Lease;
import org.pgmigrate.service.store.SourceCleanup;

/**
 * {@code /healthz}: UP when the store answers, with where the store is, this node's name and the leases it holds
 * (migration and fencing token), the number of active migrations and every source cleanup that is
 * not done ({@code pendingSourceCleanups}: which migration, database, source server, replication slot, and what the
 * last try could not undo), so that a slot left holding a source's WAL is visible even after its migration was
 * deleted. Thread-safe.
 */
public final class Health {

    private final Supplier<Map<MigrationState, Long>> store;
    private final Supplier<List<SourceCleanup>> cleanups;
    private final String storeName;
    private final String node;
    private final Supplier<List<Lease>> leases;

    /**
     * @param storeName where the store is (a file, or {@code postgresql://user@host:port/db}, never a password)
     * @param leases    the leases this node holds now
     */
    public Health(Supplier<Map<MigrationState, Long>> store, Supplier<List<SourceCleanup>> cleanups, String storeName,
                  String node, Supplier<List<Lease>> leases) {
        this.store = store;
        this.cleanups = cleanups;
        this.storeName = storeName;
        this.node = node;
        this.leases = leases;
    }

    /** The status and a short JSON body; {@code healthy} false gives a 503. */
    public record Report(boolean healthy, String json) {
    }

    public Report check() {
        try {
            Map<MigrationState, Long> counts = store.get();
            long active = counts.entrySet().stream().filter(e -> !e.getKey().isTerminal()).mapToLong(Map.Entry::getValue).sum();
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("status", "UP").put("store", "UP").put("storeLocation", storeName).put("node", node)
                    .put("activeMigrations", active);
            ArrayNode held = body.putArray("leases");
            for (Lease l : leases.get()) {
                held.addObject().put("migrationId", l.migrationId()).put("fencingToken", l.token());
            }
            ArrayNode pending = body.putArray("pendingSourceCleanups");
            for (SourceCleanup c : cleanups.get()) {
                pending.add(describe(c));
            }
            return new Report(true, body.toString());
        } catch (RuntimeException e) {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("status", "DOWN").put("store", "DOWN").put("storeLocation", storeName).put("node", node);
            return new Report(false, body.toString());
        }
    }

    private static ObjectNode describe(SourceCleanup c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("migrationId", c.migrationId()).put("migration", c.migrationName());
        if (!c.serverLevel()) {
            o.put("database", c.database());
        }
        try {
            o.put("source", PgEndpoint.parse(c.source()).address());
            SourceChanges changes = SourceChanges.decode(c.changes());
            if (changes.slot() != null) {
                o.put("replicationSlot", changes.slot());
            }
            if (!changes.replicaIdentities().isEmpty()) {
                o.put("replicaIdentitiesToRestore", changes.replicaIdentities().size());
            }
            if (!changes.settings().isEmpty()) {
                ArrayNode names = o.putArray("settingsToRestore");
                changes.settings().forEach(s -> names.add(s.name()));
            }
        } catch (IllegalArgumentException e) {
            o.put("record", "unreadable: " + e.getMessage());
        }
        if (c.attemptedAt() != null) {
            o.put("lastAttempt", c.attemptedAt().toString());
        }
        if (c.problem() != null) {
            o.put("problem", c.problem());
        }
        return o;
    }
}
