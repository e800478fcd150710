package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;

/**
 * The cutover's sequence step, while writes are stopped: every one of 251 sequences (called, not called, never
 * used, odd names, one moved by replicated inserts) ends on the target at the source's {@code last_value} and
 * {@code is_called}, and the step costs one read on the source and one write on the target per batch of 200, as both
 * servers' statement logs ({@code log_statement=all}) show: not three round trips per sequence.
 */
@Timeout(180)
class CutoverSequencesIT {

    private static final int PLAIN = 247;
    private static final String SET_SEQUENCES = "pg_catalog.setval(x.name::regclass, x.value, x.called)";
    private static final String READ_SEQUENCES = "SELECT 0, last_value, is_called FROM ";

    @TempDir
    Path spool;

    @Test
    void everySequenceEndsAtTheSourcesPositionInTwoBatches() throws Exception {
        try (PgCluster source = PgCluster.builder().version(15).name("sequences-source")
                .setting("log_statement", "'all'").start();
             PgCluster target = PgCluster.builder().version(15).name("sequences-target")
                     .setting("log_statement", "'all'").start()) {
            List<String> sequences = new ArrayList<>();
            StringBuilder ddl = new StringBuilder("CREATE SCHEMA \"Sales Dept\";"
                    + " CREATE TABLE orders (id bigserial PRIMARY KEY, amount int);");
            for (int i = 0; i < PLAIN; i++) {
                sequences.add("public.s_" + i);
            }
            sequences.add("\"Sales Dept\".\"Odd \"\"Seq\"\"\"");
            sequences.add("\"Sales Dept\".\"with space\"");
            sequences.add("public.\"MiXeD\"");
            sequences.forEach(s -> ddl.append(" CREATE SEQUENCE ").append(s).append(';'));
            Testbed bed = Testbed.create(source, target, "shop", ddl.toString());
            StringBuilder positions = new StringBuilder();
            for (int i = 0; i < sequences.size(); i++) {
                String literal = "'" + sequences.get(i).replace("'", "''") + "'";
                switch (i % 3) {
                    case 0 -> positions.append("SELECT pg_catalog.setval(").append(literal).append(", ")
                            .append(1000L * i + 7).append(", true);");
                    case 1 -> positions.append("SELECT pg_catalog.setval(").append(literal).append(", ")
                            .append(500 + i).append(", false);");
                    default -> { } // never used: last_value 1, not called
                }
            }
            bed.source(positions.toString());
            bed.source("INSERT INTO orders (amount) SELECT g FROM generate_series(1, 10) g");
            sequences.add("public.orders_id_seq");

            try (OnlineReplication r = bed.startOnline("sequences", spool, "orders")) {
                bed.source("INSERT INTO orders (amount) SELECT g FROM generate_series(1, 40) g");
                assertThat(positions(target, sequences).get("public.s_0")).as("not carried before the cutover")
                        .isEqualTo("1 false");
                int setBefore = occurrences(target.serverLog(), SET_SEQUENCES);
                int readBefore = occurrences(source.serverLog(), READ_SEQUENCES);

                CutoverResult done = r.cutover(Duration.ofSeconds(60));

                assertThat(done.sequencesSynchronized()).isEqualTo(sequences.size());
                Map<String, String> expected = positions(source, sequences);
                assertThat(positions(target, sequences)).isEqualTo(expected);
                assertThat(expected).containsEntry("public.s_0", "7 true").containsEntry("public.s_1", "501 false")
                        .containsEntry("public.s_2", "1 false").containsEntry("public.orders_id_seq", "50 true");
                // 251 sequences in batches of 200: two statements on each side, whatever the logging collector's lag.
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                        occurrences(target.serverLog(), SET_SEQUENCES) - setBefore >= 2
                                && occurrences(source.serverLog(), READ_SEQUENCES) - readBefore >= 2);
                assertThat(occurrences(target.serverLog(), SET_SEQUENCES) - setBefore).isEqualTo(2);
                assertThat(occurrences(source.serverLog(), READ_SEQUENCES) - readBefore).isEqualTo(2);
            }
            try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
                DatabaseComparer.assertEqual(s, t);
            }
        }
    }

    /** Each sequence's {@code last_value} and {@code is_called}, e.g. "7 true", read one by one. */
    private static Map<String, String> positions(PgCluster cluster, List<String> sequences) throws SQLException {
        Map<String, String> positions = new LinkedHashMap<>();
        try (Connection c = cluster.connect("shop"); Statement s = c.createStatement()) {
            for (String sequence : sequences) {
                try (ResultSet rs = s.executeQuery("SELECT last_value, is_called FROM " + sequence)) {
                    rs.next();
                    positions.put(sequence, rs.getLong(1) + " " + rs.getBoolean(2));
                }
            }
        }
        return positions;
    }

    private static int occurrences(String log, String statement) {
        int n = 0;
        for (int at = log.indexOf(statement); at >= 0; at = log.indexOf(statement, at + statement.length())) {
            n++;
        }
        return n;
    }
}
