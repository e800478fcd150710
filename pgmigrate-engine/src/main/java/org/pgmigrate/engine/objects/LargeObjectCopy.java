package org.pgmigrate.engine.objects;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.Cancellation;

/**
 * Copies the contents of large objects in chunks with {@code lo_get(oid, offset, length)} and
 * {@code lo_put(oid, offset, data)}, so that a 2 GB object needs no more memory than a 2 kB one. Objects are
 * created on the target with the source's OID when the schema restore did not already make them (pg_dump 17 moved
 * their metadata out of pre-data). The OID list is read in the snapshot and streamed with a cursor.
 *
 * <p>Not thread-safe: one instance per pair of sessions.
 */
public final class LargeObjectCopy {

    /** Bytes per lo_get/lo_put round trip. */
    private static final int CHUNK = 256 * 1024;
    private static final int FETCH = 1000;

    private final Connection source;
    private final Connection target;
    private final Cancellation cancel;

    /**
     * @param source a session inside the snapshot (autocommit off, so the OID cursor streams)
     * @param target a target session
     */
    public LargeObjectCopy(Connection source, Connection target, Cancellation cancel) {
        this.source = source;
        this.target = target;
        this.cancel = cancel;
    }

    /** Copies every large object; returns how many and how many bytes. */
    public long[] copyAll() throws SQLException {
        long objects = 0;
        long bytes = 0;
        target.setAutoCommit(false);
        try (Statement list = source.createStatement()) {
            list.setFetchSize(FETCH);
            try (ResultSet oids = list.executeQuery("SELECT oid FROM pg_catalog.pg_largeobject_metadata ORDER BY oid")) {
                List<Long> batch = new ArrayList<>(FETCH);
                while (oids.next()) {
                    batch.add(oids.getLong(1));
                    if (batch.size() == FETCH) {
                        bytes += copyBatch(batch);
                        objects += batch.size();
                        batch.clear();
                    }
                }
                bytes += copyBatch(batch);
                objects += batch.size();
            }
        } finally {
            target.setAutoCommit(true);
        }
        return new long[] {objects, bytes};
    }

    private long copyBatch(List<Long> oids) throws SQLException {
        long bytes = 0;
        try (PreparedStatement create = target.prepareStatement("SELECT pg_catalog.lo_create(x) FROM unnest(?::oid[]) AS x"
                + " WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = x)");
             PreparedStatement read = source.prepareStatement("SELECT pg_catalog.lo_get(?::oid, ?, ?)");
             PreparedStatement truncate = target.prepareStatement("SELECT pg_catalog.lo_truncate(pg_catalog.lo_open(?::oid, 131072), 0)");
             PreparedStatement write = target.prepareStatement("SELECT pg_catalog.lo_put(?::oid, ?, ?)")) {
            create.setArray(1, target.createArrayOf("oid", oids.toArray()));
            create.executeQuery().close();
            for (long oid : oids) {
                cancel.throwIfCanceled();
                // A redo after a crash must not leave a longer old tail behind.
                truncate.setLong(1, oid);
                truncate.executeQuery().close();
                for (long offset = 0; ; offset += CHUNK) {
                    read.setLong(1, oid);
                    read.setLong(2, offset);
                    read.setInt(3, CHUNK);
                    byte[] chunk;
                    try (ResultSet rs = read.executeQuery()) {
                        rs.next();
                        chunk = rs.getBytes(1);
                    }
                    if (chunk == null || chunk.length == 0) {
                        break;
                    }
                    write.setLong(1, oid);
                    write.setLong(2, offset);
                    write.setBytes(3, chunk);
                    write.executeQuery().close();
                    bytes += chunk.length;
                    if (chunk.length < CHUNK) {
                        break;
                    }
                }
            }
            target.commit();
        } catch (SQLException | RuntimeException e) {
            target.rollback();
            throw e;
        }
        return bytes;
    }
}
