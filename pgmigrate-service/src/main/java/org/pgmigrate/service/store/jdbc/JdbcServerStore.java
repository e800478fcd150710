package org.pgmigrate.service.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

/** {@link ServerStore} on the {@code servers} table of either store. Thread-safe. */
public final class JdbcServerStore implements ServerStore {

    private static final String WHERE_KEY =
            " WHERE subscription_key = ? AND resource_group_key = ? AND kind = ? AND name_key = ?";

    private final Transactions store;
    private final SqlDialect sql;
    private final String servers;

    public JdbcServerStore(Transactions store, SqlDialect sql) {
        this.store = store;
        this.sql = sql;
        this.servers = sql.table("servers");
    }

    @Override
    public boolean upsert(RegisteredServer server) {
        ServerKey k = server.key().normalized();
        return store.inTransaction(c -> {
            Instant now = Instant.now();
            String document = Documents.write(server);
            // an insert that finds the row (even one another node inserts meanwhile) does nothing: then it is updated
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + servers + " (subscription_key, "
                    + "resource_group_key, kind, name_key, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (subscription_key, resource_group_key, kind, name_key) DO NOTHING")) {
                bind(insert, k);
                insert.setString(5, document);
                sql.setTime(insert, 6, now);
                sql.setTime(insert, 7, now);
                if (insert.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE " + servers + " SET document = ?, "
                    + "updated_at = ?" + WHERE_KEY)) {
                update.setString(1, document);
                sql.setTime(update, 2, now);
                update.setString(3, k.subscription());
                update.setString(4, k.resourceGroup());
                update.setString(5, k.kind().name());
                update.setString(6, k.name());
                update.executeUpdate();
            }
            return false;
        });
    }

    @Override
    public Optional<RegisteredServer> find(ServerKey key) {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT document FROM " + servers + WHERE_KEY)) {
                bind(s, key.normalized());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(Documents.read(rs.getString(1), RegisteredServer.class))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<RegisteredServer> list(String subscription, String resourceGroup, ServerKind kind) {
        return store.inTransaction(c -> {
            String query = "SELECT document FROM " + servers + " WHERE kind = ?"
                    + (subscription == null ? "" : " AND subscription_key = ?")
                    + (resourceGroup == null ? "" : " AND resource_group_key = ?")
                    + " ORDER BY subscription_key, resource_group_key, name_key";
            try (PreparedStatement s = c.prepareStatement(query)) {
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
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + servers + WHERE_KEY)) {
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
