package org.pgmigrate.service.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

/** {@link ServerStore} on {@link SqliteStore}. Thread-safe (serialized by the store). */
final class SqliteServerStore implements ServerStore {

    private static final String WHERE_KEY =
            " WHERE subscription_key = ? AND resource_group_key = ? AND kind = ? AND name_key = ?";

    private final SqliteStore store;

    SqliteServerStore(SqliteStore store) {
        this.store = store;
    }

    @Override
    public boolean upsert(RegisteredServer server) {
        ServerKey k = server.key().normalized();
        return store.inTransaction(c -> {
            boolean existed;
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM servers" + WHERE_KEY)) {
                bind(s, k);
                try (ResultSet rs = s.executeQuery()) {
                    existed = rs.next();
                }
            }
            long now = Instant.now().toEpochMilli();
            String sql = existed
                    ? "UPDATE servers SET document = ?, updated_at = ?" + WHERE_KEY
                    : "INSERT INTO servers (document, updated_at, subscription_key, resource_group_key, kind, name_key, "
                            + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
            try (PreparedStatement u = c.prepareStatement(sql)) {
                u.setString(1, Documents.write(server));
                u.setLong(2, now);
                u.setString(3, k.subscription());
                u.setString(4, k.resourceGroup());
                u.setString(5, k.kind().name());
                u.setString(6, k.name());
                if (!existed) {
                    u.setLong(7, now);
                }
                u.executeUpdate();
            }
            return !existed;
        });
    }

    @Override
    public Optional<RegisteredServer> find(ServerKey key) {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT document FROM servers" + WHERE_KEY)) {
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
            String sql = "SELECT document FROM servers WHERE kind = ?"
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
            try (PreparedStatement d = c.prepareStatement("DELETE FROM servers" + WHERE_KEY)) {
                bind(d, key.normalized());
                return d.executeUpdate() > 0;
            }
        });
    }

    private static void bind(PreparedStatement s, ServerKey k) throws java.sql.SQLException {
        s.setString(1, k.subscription());
        s.setString(2, k.resourceGroup());
        s.setString(3, k.kind().name());
        s.setString(4, k.name());
    }
}
