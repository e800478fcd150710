package org.pgmigrate.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * The pre-data restore goes in transactions of {@link SchemaArchive#PRE_DATA_ENTRIES_PER_TRANSACTION} entries, and a
 * slice that needs more locks than the target's lock table holds is restored again an entry per transaction.
 *
 * <p>The source has 520 tables, each with a TOAST table and a comment: 1,040 entries, two slices. The roomy target
 * takes both slices whole, as its transaction ids show. The cramped target (max_locks_per_transaction=10 and few
 * connections: a lock table of a few hundred entries) cannot hold the relation locks of the first slice until its
 * commit, so that slice rolls back and goes in again an entry at a time.
 */
@Timeout(300)
class PreDataTransactionsIT {

    private static final int TABLES = 520;
    private static PgCluster source;
    private static PgCluster roomy;
    private static PgCluster cramped;
    private static SchemaArchive archive;

    @TempDir
    static Path work;

    @BeforeAll
    static void clusters() {
        source = PgCluster.builder().version(15).name("predata-tx-source").start();
        roomy = PgCluster.builder().version(15).name("predata-tx-roomy").start();
        cramped = PgCluster.builder().version(15).name("predata-tx-cramped")
                .setting("max_locks_per_transaction", "10").setting("max_connections", "10").start();
        source.createDatabase("many");
        source.execute("many", "DO $$ BEGIN FOR i IN 1.." + TABLES + " LOOP"
                + " EXECUTE format('CREATE TABLE public.t%s (id int, v text)', i);"
                + " EXECUTE format('COMMENT ON TABLE public.t%s IS %L', i, 'table ' || i);"
                + " END LOOP; END $$");
        PgTools tools = PgTools.discover(List.of()).stream().filter(t -> t.major() == source.majorVersion())
                .findFirst().orElseThrow();
        archive = SchemaArchive.dump(tools, PgEndpoint.parse(source.uri("many")), null, work.resolve("schema.dump"),
                false, List.of(), new Cancellation());
    }

    @AfterAll
    static void stop() {
        for (PgCluster c : new PgCluster[] {source, roomy, cramped}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void preDataGoesInTransactionsOfAThousandEntries() throws Exception {
        long transactions = restoreInto(roomy, "roomy");

        // two slices, and the two reads of the counter; an entry per transaction would take 1,040
        assertThat(transactions).as("transaction ids the restore took").isLessThanOrEqualTo(3);
    }

    @Test
    void aSliceThatRunsOutOfLocksIsRestoredAgainAnEntryPerTransaction() throws Exception {
        long transactions = restoreInto(cramped, "cramped");

        assertThat(cramped.serverLog()).as("the first slice ran out of lock space").contains("out of shared memory");
        assertThat(transactions).as("the first slice again, an entry per transaction")
                .isGreaterThan(SchemaArchive.PRE_DATA_ENTRIES_PER_TRANSACTION - 1);
    }

    /** Restores pre-data into a new database on {@code target}, checks it is all there; returns the xids it took. */
    private static long restoreInto(PgCluster target, String workDir) throws Exception {
        target.createDatabase("many");
        long before = transactionId(target);
        archive.restorePreData(PgEndpoint.parse(target.uri("many")), Files.createDirectory(work.resolve(workDir)),
                new Cancellation());
        assertRestored(target);
        return transactionId(target) - before;
    }

    private static void assertRestored(PgCluster target) throws Exception {
        try (Connection t = target.connect("many"); Statement s = t.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*), count(pg_catalog.obj_description(c.oid, 'pg_class')) FROM pg_catalog.pg_class c"
                        + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("tables").isEqualTo(TABLES);
            assertThat(rs.getInt(2)).as("tables with their comment").isEqualTo(TABLES);
        }
    }

    private static long transactionId(PgCluster cluster) throws Exception {
        try (Connection c = cluster.connect("many"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_catalog.txid_current()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
