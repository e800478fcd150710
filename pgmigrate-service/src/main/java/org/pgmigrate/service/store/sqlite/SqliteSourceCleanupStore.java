package org.pgmigrate.service.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pgmigrate.service.store.Lease;
import org.pgmigrate.service.store.SourceCleanup;
import org.pgmigrate.service.store.SourceCleanupStore;

/**
 * {@link SourceCleanupStore} on {@link SqliteStore}: the {@code source_cleanups} table, which has no foreign key to
 * {@code migrations} so that a record outlives a deleted migration. Thread-safe (serialized by the store).
 */
final class SqliteSourceCleanupStore implements SourceCleanupStore {

    private static final String COLUMNS = "migration_id, database, migration_name, source, password, changes, "
            + "created_at, attempted_at, problem";

    private final SqliteStore store;

    SqliteSourceCleanupStore(SqliteStore store) {
        this.store = store;
    }

    @Override
    public Optional<SourceCleanup> find(String migrationId, String database) {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM source_cleanups"
                    + " WHERE migration_id = ? AND database = ?")) {
                s.setString(1, migrationId);
                s.setString(2, database);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void put(SourceCleanup r) {
        store.inTransaction(c -> put(c, r));
    }

    @Override
    public void put(SourceCleanup r, Lease lease) {
        store.inTransaction(c -> {
            SqliteMigrationStore.requireLease(c, lease);
            return put(c, r);
        });
    }

    private static int put(Connection c, SourceCleanup r) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT OR REPLACE INTO source_cleanups (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, r.migrationId());
            s.setString(2, r.database());
            s.setString(3, r.migrationName() == null ? "" : r.migrationName());
            s.setString(4, r.source());
            s.setString(5, r.sealedPassword());
            s.setString(6, r.changes());
            s.setLong(7, (r.createdAt() == null ? Instant.now() : r.createdAt()).toEpochMilli());
            if (r.attemptedAt() == null) {
                s.setNull(8, Types.INTEGER);
            } else {
                s.setLong(8, r.attemptedAt().toEpochMilli());
            }
            s.setString(9, r.problem());
            return s.executeUpdate();
        }
    }

    @Override
    public void delete(String migrationId, String database) {
        store.inTransaction(c -> delete(c, migrationId, database));
    }

    @Override
    public void delete(String migrationId, String database, Lease lease) {
        store.inTransaction(c -> {
            SqliteMigrationStore.requireLease(c, lease);
            return delete(c, migrationId, database);
        });
    }

    private static int delete(Connection c, String migrationId, String database) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM source_cleanups WHERE migration_id = ?"
                + " AND database = ?")) {
            s.setString(1, migrationId);
            s.setString(2, database);
            return s.executeUpdate();
        }
    }

    @Override
    public List<SourceCleanup> list() {
        return store.inTransaction(c -> {
            List<SourceCleanup> all = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM source_cleanups"
                    + " ORDER BY created_at, migration_id, database");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    all.add(read(rs));
                }
            }
            return all;
        });
    }

    private static SourceCleanup read(ResultSet rs) throws SQLException {
        long attempted = rs.getLong(8);
        Instant attemptedAt = rs.wasNull() ? null : Instant.ofEpochMilli(attempted);
        return new SourceCleanup(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), attemptedAt, rs.getString(9));
    }
}
