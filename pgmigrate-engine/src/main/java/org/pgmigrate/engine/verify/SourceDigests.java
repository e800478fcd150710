package org.pgmigrate.engine.verify;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.pgmigrate.engine.catalog.Table;

/**
 * The digests of the rows that a migration's copy read from the source, by table: with them, verification reads only
 * the target, instead of hashing every table a second time on the source.
 *
 * <p>A table has a digest only when this run copied all of its parts in binary format: a part finished by an earlier
 * run, or copied as text, leaves the table to the server-side fingerprint of both sides. Thread-safe; copy workers
 * add parts while verification workers read finished tables.
 */
public final class SourceDigests {

    private final Map<Long, Entry> byTable = new ConcurrentHashMap<>();

    /** Announces that every one of the table's {@code parts} will be copied, in binary, by this run. */
    public void expect(Table table, int parts) {
        byTable.put(table.oid(), new Entry(parts));
    }

    /** A fresh digest for one part of an expected table, or null if the table has none. */
    public BinaryCopyDigest newPart(Table table) {
        return byTable.containsKey(table.oid()) ? new BinaryCopyDigest() : null;
    }

    /**
     * Records a copied part. If the digest saw a different number of rows than the server reported sending, the
     * stream did not look as expected and the table loses its digest (it is then verified on both servers).
     */
    public void partCopied(Table table, BinaryCopyDigest part, long rowsSent) {
        Entry e = byTable.get(table.oid());
        if (e == null || part == null) {
            return;
        }
        if (part.rows() != rowsSent) {
            byTable.remove(table.oid());
            return;
        }
        e.add(part);
    }

    /** The table's source digest, once every part of it is in. */
    public Optional<TableFingerprint> of(Table table) {
        Entry e = byTable.get(table.oid());
        return e == null ? Optional.empty() : e.complete();
    }

    private static final class Entry {
        private final BinaryCopyDigest total = new BinaryCopyDigest();
        private int missing;

        Entry(int parts) {
            this.missing = parts;
        }

        synchronized void add(BinaryCopyDigest part) {
            total.add(part);
            missing--;
        }

        synchronized Optional<TableFingerprint> complete() {
            return missing == 0 ? Optional.of(total.fingerprint()) : Optional.empty();
        }
    }
}
