package org.pgmigrate.service.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pgmigrate.service.store.Lease;
import org.pgmigrate.service.store.SourceCleanup;
import org.pgmigrate.service.store.SourceCleanupStore;

/**
 * {@link SourceCleanupStore} on the {@code source_cleanups} table of either store, which has no foreign key to the
 * migrations so that a record outlives a deleted migration. A fenced write checks the lease through the
 * migrations' store. Thread-safe.
 */
public final class JdbcSourceCleanupStore implements SourceCleanupStore {

    private static final String COLUMNS = "migration_id, database, migration_name, source, password, changes, "
            + "created_at, attempted_at, problem";

    private final Transactions store;
    private final SqlDialect sql;
    private final JdbcMigrationStore fence;
    private final String sourceCleanups;

    public JdbcSourceCleanupStore(Transactions store, SqlDialect sql, JdbcMigrationStore fence) {
        this.store = store;
        this.sql = sql;
        this.fence = fence;
        this.sourceCleanups = sql.table("source_cleanups");
    }

    @Override
    public Optional<SourceCleanup> find(String migrationId, String database) {
        return store.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + sourceCleanups
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
            fence.requireLease(c, lease);
            return put(c, r);
        });
    }

    private int put(Connection c, SourceCleanup r) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + sourceCleanups + " (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (migration_id, database) DO UPDATE SET "
                + "migration_name = excluded.migration_name, source = excluded.source, password = excluded.password, "
                + "changes = excluded.changes, created_at = excluded.created_at, attempted_at = excluded.attempted_at, "
                + "problem = excluded.problem")) {
            s.setString(1, r.migrationId());
            s.setString(2, r.database());
            s.setString(3, r.migrationName() == null ? "" : r.migrationName());
            s.setString(4, r.source());
            s.setString(5, r.sealedPassword());
            s.setString(6, r.changes());
            sql.setTime(s, 7, r.createdAt() == null ? Instant.now() : r.createdAt());
            sql.setTime(s, 8, r.attemptedAt());
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
            fence.requireLease(c, lease);
            return delete(c, migrationId, database);
        });
    }

    private int delete(Connection c, String migrationId, String database) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + sourceCleanups + " WHERE migration_id = ?"
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
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + sourceCleanups
                    + " ORDER BY created_at, migration_id, database");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    all.add(read(rs));
                }
            }
            return all;
        });
    }

    private SourceCleanup read(ResultSet rs) throws SQLException {
        return new SourceCleanup(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), sql.getTime(rs, 7), sql.getTime(rs, 8), rs.getString(9));
    }
}
