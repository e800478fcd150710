package org.pgmigrate.service.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;
import org.pgmigrate.service.store.Documents;
import org.pgmigrate.service.store.ServerStore;

/** {@link ServerStore} on {@link PostgresStore}. Thread-safe. */
final class PostgresServerStore implements ServerStore {

    private static final String WHERE_KEY =
            " WHERE subscription_key = ? AND resource_group_key = ? AND kind = ? AND name_key = ?";

    private final PostgresStore store;

    PostgresServerStore(PostgresStore store) {
        this.store = store;
    }

    @Override
    public boolean upsert(RegisteredServer server) {
        ServerKey k = server.key().normalized();
        return store.inTransaction(c -> {
            Timestamp now = Timestamp.from(Instant.now());
            // xmax = 0 only for a row this statement inserted: tells a creation from a replacement in one round trip
            try (PreparedStatement u = c.prepareStatement("INSERT INTO pgmigrate.servers (subscription_key, "
                    + "resource_group_key, kind, name_key, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (subscription_key, resource_group_key, kind, name_key) DO UPDATE SET "
                    + "document = excluded.document, updated_at = excluded.updated_at "
                    + "RETURNING (xmax OPERATOR(pg_catalog.=) '0'::pg_catalog.xid) AS created")) {
                bind(u, k);
                u.setString(5, Documents.write(server));
                u.setTimestamp(6, now);
                u.setTimestamp(7, now);
                try (ResultSet rs = u.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    @Override
    public Optional<RegisteredServer> find(ServerKey key) {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT document FROM pgmigrate.servers" + WHERE_KEY)) {
                bind(s, key.normalized());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(Documents.read(rs.getString(1), RegisteredServer.class)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<RegisteredServer> list(String subscription, String resourceGroup, ServerKind kind) {
        return store.inTransaction(c -> {
            String sql = "SELECT document FROM pgmigrate.servers WHERE kind = ?"
                    + (subscription == null ? "" : " AND subscription_key = ?")
                    + (resourceGroup == null ? "" : " AND resource_group_key = ?")
                    + " ORDER BY subscription_key, resource_group_key, name_key";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = 1;
                s.setString(i++, kind.name());
                if (subscription != null) {
                    s.setString(i++, subscription.toLowerCase(Locale.ROOT));
                }
                if (resourceGroup != null) {
                    s.setString(i, resourceGroup.toLowerCase(Locale.ROOT));
                }
                List<RegisteredServer> result = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        result.add(Documents.read(rs.getString(1), RegisteredServer.class));
                    }
                }
                return result;
            }
        });
    }

    @Override
    public boolean delete(ServerKey key) {
        return store.inTransaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM pgmigrate.servers" + WHERE_KEY)) {
                bind(d, key.normalized());
                return d.executeUpdate() > 0;
            }
        });
    }

    private static void bind(PreparedStatement s, ServerKey k) throws SQLException {
        s.setString(1, k.subscription());
        s.setString(2, k.resourceGroup());
        s.setString(3, k.kind().name());
        s.setString(4, k.name());
    }
}
