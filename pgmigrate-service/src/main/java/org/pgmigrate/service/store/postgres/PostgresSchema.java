package org.pgmigrate.service.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL store's versioned schema, in a schema of its own ({@value #SCHEMA}), every name qualified. Its
 * versions have the same numbers and contents as the SQLite store's ({@code store.sqlite.SchemaMigrations}): v1
 * migrations, checkpoints and servers, v2 source cleanups, v3 the lease's fencing token. {@code
 * pgmigrate.schema_version} holds the version. Nodes that start at once upgrade one at a time (an advisory lock held
 * by the upgrading transaction), each step list in the same transaction as the new version number, so a newer
 * pgmigrate upgrades an older store and an older pgmigrate refuses a newer one. Append steps; never edit one.
 */
final class PostgresSchema {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSchema.class);
    static final String SCHEMA = "pgmigrate";
    /** Any constant: the key of the advisory lock that serializes upgrades between nodes. */
    private static final long UPGRADE_LOCK = 0x7067_6d69_6772_6174L;

    /** Step i brings the schema from version i to i+1. */
    private static final List<List<String>> STEPS = List.of(
            List.of(
                    """
                    CREATE TABLE pgmigrate.migrations (
                        migration_id       text PRIMARY KEY,
                        subscription_key   text NOT NULL,
                        resource_group_key text NOT NULL,
                        server_key         text NOT NULL,
                        name_key           text NOT NULL,
                        state              text NOT NULL,
                        document           text NOT NULL,
                        secrets            text,
                        version            bigint NOT NULL,
                        lease_owner        text,
                        lease_until        timestamptz,
                        created_at         timestamptz NOT NULL,
                        updated_at         timestamptz NOT NULL,
                        UNIQUE (subscription_key, resource_group_key, server_key, name_key))""",
                    "CREATE INDEX migrations_by_state ON pgmigrate.migrations (state)",
                    """
                    CREATE TABLE pgmigrate.checkpoints (
                        migration_id text NOT NULL REFERENCES pgmigrate.migrations (migration_id) ON DELETE CASCADE,
                        key          text NOT NULL,
                        value        text NOT NULL,
                        PRIMARY KEY (migration_id, key))""",
                    """
                    CREATE TABLE pgmigrate.servers (
                        subscription_key   text NOT NULL,
                        resource_group_key text NOT NULL,
                        kind               text NOT NULL,
                        name_key           text NOT NULL,
                        document           text NOT NULL,
                        created_at         timestamptz NOT NULL,
                        updated_at         timestamptz NOT NULL,
                        PRIMARY KEY (subscription_key, resource_group_key, kind, name_key))"""),
            // No foreign key to migrations: a record outlives a deleted migration, so an undropped slot is never
            // forgotten.
            List.of(
                    """
                    CREATE TABLE pgmigrate.source_cleanups (
                        migration_id   text NOT NULL,
                        database       text NOT NULL,
                        migration_name text NOT NULL,
                        source         text NOT NULL,
                        password       text,
                        changes        text NOT NULL,
                        created_at     timestamptz NOT NULL,
                        attempted_at   timestamptz,
                        problem        text,
                        PRIMARY KEY (migration_id, database))"""),
            // The lease's fencing token: incremented on every claim, checked by every write of the run holding it.
            List.of("ALTER TABLE pgmigrate.migrations ADD COLUMN lease_token bigint NOT NULL DEFAULT 0",
                    "CREATE INDEX migrations_by_lease_owner ON pgmigrate.migrations (lease_owner)"));

    static final int CURRENT = STEPS.size();

    private PostgresSchema() {
    }

    static void apply(Connection c, String where) throws SQLException {
        apply(c, where, CURRENT);
    }

    /** Brings the schema up to {@code target} (tests build older stores with it). */
    static void apply(Connection c, String where, int target) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_catalog.pg_advisory_xact_lock(" + UPGRADE_LOCK + ")");
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            s.execute("CREATE TABLE IF NOT EXISTS pgmigrate.schema_version (version integer NOT NULL)");
            int version = version(c);
            if (version < 0) {
                s.execute("INSERT INTO pgmigrate.schema_version (version) VALUES (0)");
                version = 0;
            }
            if (version > CURRENT) {
                throw new IllegalStateException("The store " + where + " has schema version " + version + ", newer "
                        + "than this pgmigrate understands (" + CURRENT + "). Run a newer pgmigrate on every node.");
            }
            for (int v = version; v < target; v++) {
                for (String sql : STEPS.get(v)) {
                    s.execute(sql);
                }
                try (PreparedStatement u = c.prepareStatement("UPDATE pgmigrate.schema_version SET version = ?")) {
                    u.setInt(1, v + 1);
                    u.executeUpdate();
                }
                LOG.info("Store {}: schema upgraded from version {} to {}.", where, v, v + 1);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** The stored version, or -1 when the version table is empty. */
    static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM pgmigrate.schema_version")) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }
}
