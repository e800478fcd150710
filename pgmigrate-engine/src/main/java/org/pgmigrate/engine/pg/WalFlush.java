package org.pgmigrate.engine.pg;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Makes everything a server has written to its WAL so far durable, commits made with {@code synchronous_commit=off}
 * included: a transaction that commits with a local WAL flush flushes the WAL up to its own commit record, which
 * comes after every earlier record. (A transaction with no transaction id writes no commit record, hence
 * {@code txid_current()}.) Used where a later step must not start before earlier, unflushed work is on disk.
 */
public final class WalFlush {

    private WalFlush() {
    }

    /** Commits an empty transaction with a local flush on {@code c}; its autocommit mode is kept. */
    public static void flush(Connection c) throws SQLException {
        OwnTransaction.run(c, "SET LOCAL synchronous_commit = local", "SELECT pg_catalog.txid_current()");
    }
}
