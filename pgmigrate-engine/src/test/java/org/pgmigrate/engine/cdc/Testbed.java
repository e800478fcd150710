package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.postgresql.PGConnection;

/**
 * One database on a source and a target cluster with the same DDL, a base copy under an exported snapshot (until
 * the engine's copy lands), and row-by-row comparison that reads floats as doubles so that PostgreSQL 11's and 12+'s
 * text forms compare equal.
 */
final class Testbed {

    final PgCluster source;
    final PgCluster target;
    final String db;

    private Testbed(PgCluster source, PgCluster target, String db) {
        this.source = source;
        this.target = target;
        this.db = db;
    }

    /** Clusters with a small logical_decoding_work_mem where it exists, so that streaming starts early. */
    static PgCluster cluster(int version, String name) {
        PgCluster.Builder b = PgCluster.builder().version(version).name(name);
        if (version >= 13) {
            b.setting("logical_decoding_work_mem", "'64kB'");
        }
        return b.start();
    }

    /** Creates {@code db} on both clusters and runs {@code ddl} in both. */
    static Testbed create(PgCluster source, PgCluster target, String db, String ddl) {
        source.createDatabase(db);
        target.createDatabase(db);
        if (!ddl.isBlank()) {
            source.execute(db, ddl);
            target.execute(db, ddl);
        }
        return new Testbed(source, target, db);
    }

    PgEndpoint sourceEndpoint() {
        return PgEndpoint.parse(source.uri(db));
    }

    PgEndpoint targetEndpoint() {
        return PgEndpoint.parse(target.uri(db));
    }

    ReplicationConfig.Builder config(String migrationId, Path spool) {
        return ReplicationConfig.builder(migrationId, sourceEndpoint(), targetEndpoint(), spool.resolve(migrationId))
                .monitorInterval(Duration.ofMillis(200))
                .reconnectTimeout(Duration.ofSeconds(60));
    }

    OnlineReplication replication(String migrationId, Path spool, Consumer<ReplicationConfig.Builder> tweak) {
        ReplicationConfig.Builder b = config(migrationId, spool);
        tweak.accept(b);
        return new OnlineReplication(b.build(), new PgConnector());
    }

    /** prepare, base copy of {@code tables} under the snapshot, capture and apply. */
    OnlineReplication startOnline(String migrationId, Path spool, String... tables) {
        return startOnline(replication(migrationId, spool, b -> { }), tables);
    }

    OnlineReplication startOnline(OnlineReplication replication, String... tables) {
        SlotSnapshot slot = replication.prepare();
        replication.startCapture();
        baseCopy(slot.snapshotName(), tables);
        replication.startApply();
        return replication;
    }

    void source(String sql) {
        source.execute(db, sql);
    }

    void target(String sql) {
        target.execute(db, sql);
    }

    long sourceLong(String sql) {
        return queryLong(source, sql);
    }

    long targetLong(String sql) {
        return queryLong(target, sql);
    }

    String sourceString(String sql) {
        return queryString(source, sql);
    }

    String targetString(String sql) {
        return queryString(target, sql);
    }

    long queryLong(PgCluster cluster, String sql) {
        String s = queryString(cluster, sql);
        return s == null ? 0 : Long.parseLong(s);
    }

    String queryString(PgCluster cluster, String sql) {
        try (Connection c = cluster.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** COPY each table from the source, under {@code snapshot}, into the target. */
    void baseCopy(String snapshot, String... tables) {
        try (Connection s = source.connect(db); Connection t = target.connect(db)) {
            s.setAutoCommit(false);
            try (Statement st = s.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                st.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
            }
            for (String table : tables) {
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                s.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + table + " TO STDOUT", data);
                t.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN",
                        new ByteArrayInputStream(data.toByteArray()));
            }
            s.commit();
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Base copy failed: " + e.getMessage(), e);
        }
    }

    /** Asserts both sides hold the same rows (ordered by {@code orderBy}); returns the row count. */
    int assertSameRows(String table, String orderBy) {
        String sql = "SELECT * FROM " + table + " ORDER BY " + orderBy;
        List<List<Object>> expected = rows(source, sql);
        List<List<Object>> actual = rows(target, sql);
        assertThat(actual).as("rows of %s on the target", table).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("row %d of %s", i, table).isEqualTo(expected.get(i));
        }
        return expected.size();
    }

    private List<List<Object>> rows(PgCluster cluster, String sql) {
        try (Connection c = cluster.connect(db); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            s.execute("SET DateStyle = 'ISO'");
            s.execute("SET extra_float_digits = 3");
            try (ResultSet rs = s.executeQuery(sql)) {
                ResultSetMetaData md = rs.getMetaData();
                List<List<Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.add(value(rs, md, i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static Object value(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
        Object v;
        switch (md.getColumnType(i)) {
            case Types.DOUBLE, Types.FLOAT -> v = rs.getDouble(i);
            case Types.REAL -> v = rs.getFloat(i);
            case Types.ARRAY -> {
                Array a = rs.getArray(i);
                v = a == null ? null : Arrays.deepToString((Object[]) a.getArray());
            }
            default -> v = rs.getString(i);
        }
        return rs.wasNull() ? null : v;
    }

    /** Waits until everything committed on the source so far is applied on the target. */
    void awaitCaughtUp(OnlineReplication replication) {
        Lsn end = Lsn.parse(sourceString("SELECT pg_current_wal_insert_lsn()::text"));
        source("SELECT pg_logical_emit_message(false, 'test', 'nudge')");
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
            ReplicationStats s = replication.stats();
            if (s.failure() != null) {
                throw new AssertionError("replication failed: " + s.failure());
            }
            return s.appliedLsn().compareTo(end) >= 0;
        });
    }

    boolean slotExists(String slot) {
        return queryLong(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'") > 0;
    }

    boolean publicationExists(String publication) {
        return queryLong(source, "SELECT count(*) FROM pg_publication WHERE pubname = '" + publication + "'") > 0;
    }
}
