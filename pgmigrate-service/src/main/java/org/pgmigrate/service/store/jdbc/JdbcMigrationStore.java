package org.pgmigrate.service.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationState;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.store.Documents;
import org.pgmigrate.service.store.Lease;
import org.pgmigrate.service.store.LeaseLostException;
import org.pgmigrate.service.store.MigrationStore;

/**
 * {@link MigrationStore} on the {@code migrations} and {@code checkpoints} tables of either store. A
 * read-modify-write locks the migration's row for its transaction; a fenced write first locks it too and checks the
 * lease ({@link #requireLease}), so a claim by another node, which updates that row, is ordered entirely before or
 * after it (SQLite, which runs one transaction at a time, needs no lock for that). Leases expire by the store's
 * clock, so the nodes' clocks need not agree. Thread-safe.
 */
public final class JdbcMigrationStore implements MigrationStore {

    private static final String COLUMNS = "document, secrets, version";
    private static final String WHERE_KEY = " WHERE subscription_key = ? AND resource_group_key = ? AND server_key = ? "
            + "AND name_key = ?";

    private final Transactions store;
    private final SqlDialect sql;
    private final String migrations;
    private final String checkpoints;

    public JdbcMigrationStore(Transactions store, SqlDialect sql) {
        this.store = store;
        this.sql = sql;
        this.migrations = sql.table("migrations");
        this.checkpoints = sql.table("checkpoints");
    }

    @Override
    public boolean insert(Migration migration) {
        MigrationKey k = migration.key().normalized();
        return store.inTransaction(c -> {
            Instant now = Instant.now();
            Migration stored = migration.stored(now, 1);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + migrations + " (subscription_key, "
                    + "resource_group_key, server_key, name_key, migration_id, state, document, secrets, version, "
                    + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (subscription_key, "
                    + "resource_group_key, server_key, name_key) DO NOTHING")) {
                bindKey(insert, k);
                insert.setString(5, stored.migrationId());
                insert.setString(6, stored.status().state().name());
                insert.setString(7, document(stored));
                insert.setString(8, stored.sealedSecrets());
                sql.setTime(insert, 9, now);
                sql.setTime(insert, 10, now);
                return insert.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<Migration> find(MigrationKey key) {
        MigrationKey k = key.normalized();
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + migrations + WHERE_KEY)) {
                bindKey(s, k);
                return one(s);
            }
        });
    }

    @Override
    public Optional<Migration> findById(String migrationId) {
        return store.inTransaction(c -> byId(c, migrationId, ""));
    }

    @Override
    public List<Migration> listByTarget(ServerKey target) {
        ServerKey t = target.normalized();
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + migrations
                    + " WHERE subscription_key = ? AND resource_group_key = ? AND server_key = ? "
                    + "ORDER BY created_at, migration_id")) {
                s.setString(1, t.subscription().toLowerCase(Locale.ROOT));
                s.setString(2, t.resourceGroup().toLowerCase(Locale.ROOT));
                s.setString(3, t.name().toLowerCase(Locale.ROOT));
                return all(s);
            }
        });
    }

    @Override
    public List<Migration> listActive() {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + migrations
                    + " WHERE state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELED', 'VALIDATION_FAILED') "
                    + "ORDER BY created_at, migration_id")) {
                return all(s);
            }
        });
    }

    @Override
    public List<Migration> listAll() {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + migrations
                    + " ORDER BY created_at, migration_id")) {
                return all(s);
            }
        });
    }

    @Override
    public Optional<Migration> update(String migrationId, UnaryOperator<Migration> change) {
        return store.inTransaction(c -> update(c, migrationId, change));
    }

    @Override
    public Optional<Migration> update(String migrationId, Lease lease, UnaryOperator<Migration> change) {
        return store.inTransaction(c -> {
            requireLease(c, lease, sql.lockForUpdate()); // the row lock update() takes anyway, taken first
            return update(c, migrationId, change);
        });
    }

    private Optional<Migration> update(Connection c, String migrationId, UnaryOperator<Migration> change)
            throws SQLException {
        Optional<Migration> current = byId(c, migrationId, sql.lockForUpdate());
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Migration changed = change.apply(current.get());
        if (changed.equals(current.get())) {
            return current;
        }
        Instant now = Instant.now();
        Migration stored = changed.stored(now, current.get().version() + 1);
        try (PreparedStatement u = c.prepareStatement("UPDATE " + migrations + " SET state = ?, document = ?, "
                + "secrets = ?, version = ?, updated_at = ? WHERE migration_id = ?")) {
            u.setString(1, stored.status().state().name());
            u.setString(2, document(stored));
            u.setString(3, stored.sealedSecrets());
            u.setLong(4, stored.version());
            sql.setTime(u, 5, now);
            u.setString(6, migrationId);
            u.executeUpdate();
        }
        return Optional.of(stored);
    }

    /**
     * The fence: in the writing transaction, the migration's lease must still be {@code lease}. The row is locked
     * for share, so the writes of one run (checkpoints, source cleanups) do not wait for each other, while a claim,
     * which updates the row, waits for them and they for it: the check holds until the write commits.
     */
    void requireLease(Connection c, Lease lease) throws SQLException {
        requireLease(c, lease, sql.lockForShare());
    }

    private void requireLease(Connection c, Lease lease, String lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + migrations + " WHERE migration_id = ? "
                + "AND lease_owner = ? AND lease_token = ?" + lock)) {
            s.setString(1, lease.migrationId());
            s.setString(2, lease.owner());
            s.setLong(3, lease.token());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new LeaseLostException(lease);
                }
            }
        }
    }

    @Override
    public boolean delete(String migrationId) {
        return store.inTransaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM " + migrations + " WHERE migration_id = ?")) {
                d.setString(1, migrationId);
                return d.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<Lease> claim(String migrationId, String owner, Duration duration) {
        return store.inTransaction(c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE " + migrations + " SET lease_owner = ?, "
                    + "lease_until = " + sql.nowPlusMillis() + ", lease_token = lease_token + 1 "
                    + "WHERE migration_id = ? AND (lease_owner IS NULL OR lease_owner = ? "
                    + "OR lease_until < " + sql.now() + ")")) {
                u.setString(1, owner);
                u.setLong(2, duration.toMillis());
                u.setString(3, migrationId);
                u.setString(4, owner);
                if (u.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            // the row is this transaction's until it commits: the token read is the one just written
            try (PreparedStatement s = c.prepareStatement("SELECT lease_token FROM " + migrations
                    + " WHERE migration_id = ?")) {
                s.setString(1, migrationId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return Optional.of(new Lease(migrationId, owner, rs.getLong(1)));
                }
            }
        });
    }

    @Override
    public boolean renew(Lease lease, Duration duration) {
        return store.inTransaction(c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE " + migrations + " SET lease_until = "
                    + sql.nowPlusMillis() + " WHERE migration_id = ? AND lease_owner = ? AND lease_token = ?")) {
                u.setLong(1, duration.toMillis());
                u.setString(2, lease.migrationId());
                u.setString(3, lease.owner());
                u.setLong(4, lease.token());
                return u.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void release(Lease lease) {
        store.inTransaction(c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE " + migrations + " SET lease_owner = NULL, "
                    + "lease_until = NULL WHERE migration_id = ? AND lease_owner = ? AND lease_token = ?")) {
                u.setString(1, lease.migrationId());
                u.setString(2, lease.owner());
                u.setLong(3, lease.token());
                return u.executeUpdate();
            }
        });
    }

    @Override
    public int releaseLeases(String owner) {
        return store.inTransaction(c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE " + migrations + " SET lease_owner = NULL, "
                    + "lease_until = NULL WHERE lease_owner = ?")) {
                u.setString(1, owner);
                return u.executeUpdate();
            }
        });
    }

    @Override
    public List<Lease> leasesOf(String owner) {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT migration_id, lease_token FROM " + migrations
                    + " WHERE lease_owner = ? ORDER BY created_at, migration_id")) {
                s.setString(1, owner);
                List<Lease> leases = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        leases.add(new Lease(rs.getString(1), owner, rs.getLong(2)));
                    }
                }
                return leases;
            }
        });
    }

    @Override
    public Optional<String> checkpoint(String migrationId, String key) {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT value FROM " + checkpoints
                    + " WHERE migration_id = ? AND key = ?")) {
                s.setString(1, migrationId);
                s.setString(2, key);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void putCheckpoint(String migrationId, String key, String value) {
        store.inTransaction(c -> putCheckpoint(c, migrationId, key, value));
    }

    @Override
    public void putCheckpoint(String migrationId, String key, String value, Lease lease) {
        store.inTransaction(c -> {
            requireLease(c, lease);
            return putCheckpoint(c, migrationId, key, value);
        });
    }

    private int putCheckpoint(Connection c, String migrationId, String key, String value) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("INSERT INTO " + checkpoints + " (migration_id, key, value) "
                + "VALUES (?, ?, ?) ON CONFLICT (migration_id, key) DO UPDATE SET value = excluded.value")) {
            u.setString(1, migrationId);
            u.setString(2, key);
            u.setString(3, value);
            return u.executeUpdate();
        }
    }

    @Override
    public Map<MigrationState, Long> countByState() {
        return store.inTransaction(c -> {
            Map<MigrationState, Long> counts = new EnumMap<>(MigrationState.class);
            for (MigrationState s : MigrationState.values()) {
                counts.put(s, 0L);
            }
            try (PreparedStatement s = c.prepareStatement("SELECT state, " + sql.function("count") + "(*) FROM "
                    + migrations + " GROUP BY state");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(MigrationState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return counts;
        });
    }

    private Optional<Migration> byId(Connection c, String migrationId, String lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + migrations
                + " WHERE migration_id = ?" + lock)) {
            s.setString(1, migrationId);
            return one(s);
        }
    }

    private static void bindKey(PreparedStatement s, MigrationKey k) throws SQLException {
        s.setString(1, k.target().subscription().toLowerCase(Locale.ROOT));
        s.setString(2, k.target().resourceGroup().toLowerCase(Locale.ROOT));
        s.setString(3, k.target().name().toLowerCase(Locale.ROOT));
        s.setString(4, k.name().toLowerCase(Locale.ROOT));
    }

    private static Optional<Migration> one(PreparedStatement s) throws SQLException {
        List<Migration> all = all(s);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static List<Migration> all(PreparedStatement s) throws SQLException {
        List<Migration> result = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                Migration m = Documents.read(rs.getString(1), Migration.class);
                result.add(m.withSealedSecrets(rs.getString(2)).stored(m.updatedAt(), rs.getLong(3)));
            }
        }
        return result;
    }

    /** The document never carries the sealed secrets (they have their own column) nor the version. */
    private static String document(Migration m) {
        return Documents.write(m.withSealedSecrets(null).stored(m.updatedAt(), 0));
    }
}
