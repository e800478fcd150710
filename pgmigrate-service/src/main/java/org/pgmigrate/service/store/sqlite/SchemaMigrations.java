package org.pgmigrate.service.store.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's versioned schema. {@code PRAGMA user_version} holds the version; each step brings it from n to n+1
 * in its own transaction, so a newer pgmigrate upgrades an older store at start, and an older pgmigrate refuses a
 * newer store instead of damaging it. Append steps; never edit a released one.
 */
final class SchemaMigrations {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrations.class);

    /** Step i brings the schema from version i to i+1. */
    private static final List<List<String>> STEPS = List.of(
            List.of(
                    """
                    CREATE TABLE migrations (
                        migration_id       TEXT PRIMARY KEY,
                        subscription_key   TEXT NOT NULL,
                        resource_group_key TEXT NOT NULL,
                        server_key         TEXT NOT NULL,
                        name_key           TEXT NOT NULL,
                        state              TEXT NOT NULL,
                        document           TEXT NOT NULL,
                        secrets            TEXT,
                        version            INTEGER NOT NULL,
                        lease_owner        TEXT,
                        lease_until        INTEGER,
                        created_at         INTEGER NOT NULL,
                        updated_at         INTEGER NOT NULL,
                        UNIQUE (subscription_key, resource_group_key, server_key, name_key))""",
                    "CREATE INDEX migrations_by_state ON migrations (state)",
                    """
                    CREATE TABLE checkpoints (
                        migration_id TEXT NOT NULL REFERENCES migrations (migration_id) ON DELETE CASCADE,
                        key          TEXT NOT NULL,
                        value        TEXT NOT NULL,
                        PRIMARY KEY (migration_id, key)) WITHOUT ROWID""",
                    """
                    CREATE TABLE servers (
                        subscription_key   TEXT NOT NULL,
                        resource_group_key TEXT NOT NULL,
                        kind               TEXT NOT NULL,
                        name_key           TEXT NOT NULL,
                        document           TEXT NOT NULL,
                        created_at         INTEGER NOT NULL,
                        updated_at         INTEGER NOT NULL,
                        PRIMARY KEY (subscription_key, resource_group_key, kind, name_key))"""),
            // What online migrations changed on their sources and have not undone yet. No foreign key to migrations:
            // a record outlives a deleted migration, so an undropped slot is never forgotten.
            List.of(
                    """
                    CREATE TABLE source_cleanups (
                        migration_id   TEXT NOT NULL,
                        database       TEXT NOT NULL,
                        migration_name TEXT NOT NULL,
                        source         TEXT NOT NULL,
                        password       TEXT,
                        changes        TEXT NOT NULL,
                        created_at     INTEGER NOT NULL,
                        attempted_at   INTEGER,
                        problem        TEXT,
                        PRIMARY KEY (migration_id, database)) WITHOUT ROWID"""),
            // The lease's fencing token: incremented on every claim, checked by every write of the run holding it.
            List.of("ALTER TABLE migrations ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0"));

    static final int CURRENT = STEPS.size();

    private SchemaMigrations() {
    }

    static void apply(Connection connection, String where) throws SQLException {
        apply(connection, where, CURRENT);
    }

    /** Brings the schema up to {@code target} (tests build older stores with it). */
    static void apply(Connection connection, String where, int target) throws SQLException {
        int version = userVersion(connection);
        if (version > CURRENT) {
            throw new IllegalStateException("The store " + where + " has schema version " + version + ", newer than "
                    + "this pgmigrate understands (" + CURRENT + "). Run a newer pgmigrate, or use another --data-dir.");
        }
        for (int v = version; v < target; v++) {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (String sql : STEPS.get(v)) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version = " + (v + 1));
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            LOG.info("Store {}: schema upgraded from version {} to {}.", where, v, v + 1);
        }
    }

    static int userVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
