package org.pgmigrate.engine.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Consumer;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.catalog.QualifiedName;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.cdc.apply.Applier;
import org.pgmigrate.engine.cdc.spool.Spool;
import org.pgmigrate.engine.pg.PgConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A periodic task on its own connections: reads the source's current WAL position (for pending bytes), checks the
 * slot still exists, reads the durably applied position on the target, and frees spool files below it. Runs on one
 * scheduler thread; its results are read from any thread.
 */
final class Monitor implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);
    private static final int SLOT_CHECK_EVERY = 5;

    private final ReplicationConfig config;
    private final PgConnector connector;
    private final SourceSetup setup;
    private final int sourceVersion;
    private final Spool spool;
    private final Consumer<EngineException> onFailure;
    private volatile Applier applier;
    private volatile Lsn sourceCurrent = Lsn.INVALID;
    private volatile Lsn durableApplied;
    private Connection source;
    private Connection target;
    private int ticks;

    Monitor(ReplicationConfig config, PgConnector connector, SourceSetup setup, int sourceVersion, Spool spool,
            Lsn initialDurable, Consumer<EngineException> onFailure) {
        this.config = config;
        this.connector = connector;
        this.setup = setup;
        this.sourceVersion = sourceVersion;
        this.spool = spool;
        this.durableApplied = initialDurable;
        this.onFailure = onFailure;
    }

    void applierStarted(Applier started) {
        this.applier = started;
    }

    Lsn sourceCurrent() {
        return sourceCurrent;
    }

    /** The position durably applied on the target (including empty transactions and keepalives after it). */
    Lsn durableApplied() {
        return durableApplied;
    }

    @Override
    public void run() {
        try {
            checkSource();
            checkTarget();
        } catch (EngineException e) {
            onFailure.accept(e);
        } catch (RuntimeException e) {
            LOG.warn("Replication monitor: {}", e.toString());
        }
    }

    /** Reads the durable position now (used by cutover to prove what is applied). */
    Lsn refreshDurable() {
        checkTarget();
        return durableApplied;
    }

    private void checkSource() {
        try {
            if (source == null) {
                source = connector.open(config.source(), PgConnector.Side.SOURCE, "cdc-monitor");
            }
            sourceCurrent = setup.currentLsn(source);
            if (ticks++ % SLOT_CHECK_EVERY == 0) {
                SourceSetup.SlotStatus status = setup.slotStatus(source, config.names().slot(), sourceVersion);
                if (status == null || status.lost()) {
                    throw setup.slotLost(config.names().slot(), status, null);
                }
                checkEveryTablePublished();
            }
        } catch (SQLException e) {
            LOG.debug("Replication monitor lost its source connection: {}", e.getMessage());
            closeSource();
        } catch (EngineException e) {
            if (e.error() == EngineError.REPLICATION_SLOT_LOST || e.error() == EngineError.SCHEMA_CHANGED_DURING_REPLICATION) {
                throw e;
            }
            LOG.debug("Replication monitor cannot reach the source: {}", e.getMessage());
            closeSource();
        }
    }

    /**
     * A table created on the source after the publication (which lists tables when the source user is not a
     * superuser, or when filters choose the tables) would never be replicated: the target would silently miss its
     * rows. Stop instead; but a table the filters leave out (or keep without rows) is meant to be missing.
     */
    private void checkEveryTablePublished() throws SQLException {
        TableFilter filter = config.filter();
        try (java.sql.PreparedStatement ps = source.prepareStatement("""
                SELECT n.nspname, c.relname, coalesce(up.schemas, '{}'), coalesce(up.names, '{}')
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                  LEFT JOIN LATERAL (
                       WITH RECURSIVE parent(oid) AS (
                            SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid
                            UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN parent ON i.inhrelid = parent.oid)
                       SELECT pg_catalog.array_agg(pn.nspname::text ORDER BY pc.oid) AS schemas,
                              pg_catalog.array_agg(pc.relname::text ORDER BY pc.oid) AS names
                         FROM parent JOIN pg_catalog.pg_class pc ON pc.oid = parent.oid
                         JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace) up ON true
                 WHERE c.relkind = 'r' AND c.relpersistence = 'p'
                   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass
                                   AND d.objid = c.oid AND d.deptype = 'e')
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_tables p
                                   WHERE p.pubname = ? AND p.schemaname = n.nspname AND p.tablename = c.relname)
                ORDER BY 1, 2""")) {
            ps.setString(1, config.names().publication());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                java.util.List<String> missing = new java.util.ArrayList<>();
                while (rs.next() && missing.size() < 5) {
                    QualifiedName table = new QualifiedName(rs.getString(1), rs.getString(2));
                    if (!filter.isEmpty() && !filter.wantsRowsOf(table, ancestors(rs))) {
                        continue;
                    }
                    missing.add(table.toString());
                }
                if (!missing.isEmpty()) {
                    throw new EngineException(EngineError.SCHEMA_CHANGED_DURING_REPLICATION, "Table(s) "
                            + String.join(", ", missing) + " in source database " + config.database() + " are not in"
                            + " publication " + config.names().publication() + " (created after the migration started),"
                            + " so their rows would never reach the target. Replication stopped; the target was left as"
                            + " it is. Freeze DDL during online migrations, then start a new migration.");
                }
            }
        }
    }

    /** The parents of a table, from columns 3 (schemas) and 4 (names) of the query above. */
    private static java.util.List<QualifiedName> ancestors(java.sql.ResultSet rs) throws SQLException {
        String[] schemas = (String[]) rs.getArray(3).getArray();
        String[] names = (String[]) rs.getArray(4).getArray();
        java.util.List<QualifiedName> parents = new java.util.ArrayList<>();
        for (int i = 0; i < schemas.length; i++) {
            parents.add(new QualifiedName(schemas[i], names[i]));
        }
        return parents;
    }

    private synchronized void checkTarget() {
        Applier a = applier;
        if (a == null) {
            return;
        }
        try {
            if (target == null) {
                target = connector.open(config.target(), PgConnector.Side.TARGET, "cdc-monitor");
            }
            Lsn flushed = a.durable(target);
            if (flushed == null) {
                return;
            }
            Applier.Progress p = a.progress();
            // Empty transactions and keepalives after the last written commit are durable once that commit is.
            Lsn durable = flushed.compareTo(p.lastWriteCommit()) >= 0 ? Lsn.max(flushed, p.applied()) : flushed;
            if (durable.compareTo(durableApplied) > 0) {
                durableApplied = durable;
                spool.release(durable);
            }
        } catch (SQLException e) {
            LOG.debug("Replication monitor lost its target connection: {}", e.getMessage());
            closeTarget();
        } catch (EngineException e) {
            LOG.debug("Replication monitor cannot reach the target: {}", e.getMessage());
            closeTarget();
        }
    }

    void close() {
        closeSource();
        synchronized (this) {
            closeTarget();
        }
    }

    private void closeSource() {
        if (source != null) {
            try {
                source.close();
            } catch (SQLException e) {
                // already broken
            }
            source = null;
        }
    }

    private void closeTarget() {
        if (target != null) {
            try {
                target.close();
            } catch (SQLException e) {
                // already broken
            }
            target = null;
        }
    }
}
