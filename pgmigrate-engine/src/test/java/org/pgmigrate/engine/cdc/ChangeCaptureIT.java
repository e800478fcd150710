package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.testkit.cluster.PgCluster;

/** The correctness rules of online migration, PostgreSQL 15 to 15 (protocol 2, streaming on). */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChangeCaptureIT {

    private static PgCluster source;
    private static PgCluster target;

    @TempDir
    Path spool;

    @BeforeAll
    static void startClusters() {
        source = Testbed.cluster(15, "cdc-source");
        target = Testbed.cluster(15, "cdc-target");
    }

    @AfterAll
    static void stopClusters() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    @Test
    void insertsUpdatesAndDeletesArriveInCommitOrderWithMatchingCounters() {
        Testbed bed = Testbed.create(source, target, "basic", "CREATE TABLE t (id int PRIMARY KEY, v text)");
        bed.source("INSERT INTO t SELECT g, 'before ' || g FROM generate_series(1, 100) g");
        try (OnlineReplication r = bed.startOnline("basic", spool, "t")) {
            bed.source("INSERT INTO t SELECT g, 'after ' || g FROM generate_series(101, 150) g");
            bed.source("UPDATE t SET v = 'updated' WHERE id <= 20");
            bed.source("DELETE FROM t WHERE id > 140");
            bed.source("BEGIN; INSERT INTO t VALUES (1000, 'x'); UPDATE t SET v = 'y' WHERE id = 1000;"
                    + " DELETE FROM t WHERE id = 1000; INSERT INTO t VALUES (1000, 'z'); COMMIT");
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            assertThat(done.appliedPoint()).isGreaterThanOrEqualTo(done.endPoint());
            assertThat(bed.assertSameRows("t", "id")).isEqualTo(141);
            ReplicationStats s = done.finalStats();
            assertThat(s.cdcInsertCounter()).isEqualTo(52);
            assertThat(s.cdcUpdateCounter()).isEqualTo(21);
            assertThat(s.cdcDeleteCounter()).isEqualTo(11);
            assertThat(s.appliedChanges()).isEqualTo(84);
            assertThat(s.incomingChanges()).isEqualTo(84);
            assertThat(s.state()).isEqualTo(ReplicationState.COMPLETED);
            assertThat(bed.slotExists(r.names().slot())).isFalse();
            assertThat(bed.publicationExists(r.names().publication())).isFalse();
            assertThat(bed.targetLong("SELECT count(*) FROM pg_replication_origin WHERE roname = '"
                    + r.names().origin() + "'")).isZero();
        }
    }

    @Test
    void tableWithoutKeyIsRefusedBeforeAnythingIsCreated() {
        Testbed bed = Testbed.create(source, target, "nokey", "CREATE TABLE keyless (a int, b text);"
                + " CREATE TABLE fine (id int PRIMARY KEY)");
        try (OnlineReplication r = bed.replication("nokey", spool, b -> { })) {
            assertThatThrownBy(r::prepare)
                    .isInstanceOfSatisfying(EngineException.class,
                            e -> assertThat(e.error()).isEqualTo(EngineError.NO_REPLICA_IDENTITY))
                    .hasMessageContaining("public.keyless")
                    .hasMessageContaining("allowReplicaIdentityFull")
                    .hasMessageNotContaining("public.fine");
            assertThat(bed.slotExists(r.names().slot())).isFalse();
            assertThat(bed.publicationExists(r.names().publication())).isFalse();
            assertThat(bed.sourceString("SELECT relreplident FROM pg_class WHERE relname = 'keyless'")).isEqualTo("d");
        }
    }
    @Test
    void keylessTableReplicatesUnderReplicaIdentityFullChangingExactlyOneOfEqualRows() {
        Testbed bed = Testbed.create(source, target, "full", "CREATE TABLE keyless (a int, b text, f float8, j json,"
                + " p point)");
        bed.source("INSERT INTO keyless VALUES (1, 'dup', 0.1, '{\"k\": 1}', '(1,2)'), (1, 'dup', 0.1, '{\"k\": 1}',"
                + " '(1,2)'), (2, NULL, -216237.00000035969, NULL, NULL)");
        try (OnlineReplication r = bed.startOnline(bed.replication("full", spool, b -> b.allowReplicaIdentityFull(true)),
                "keyless")) {
            assertThat(bed.sourceString("SELECT relreplident FROM pg_class WHERE relname = 'keyless'")).isEqualTo("f");
            bed.source("UPDATE keyless SET b = 'one of two' WHERE ctid = (SELECT ctid FROM keyless WHERE a = 1 LIMIT 1)");
            bed.source("UPDATE keyless SET b = 'null matched' WHERE a = 2");
            bed.source("INSERT INTO keyless VALUES (3, 'x', 1e-300, '[1, 2]', '(0,0)'), (3, 'x', 1e-300, '[1, 2]', '(0,0)')");
            bed.source("DELETE FROM keyless WHERE ctid = (SELECT ctid FROM keyless WHERE a = 3 LIMIT 1)");
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("keyless", "a, b");
            assertThat(bed.targetLong("SELECT count(*) FROM keyless WHERE b = 'dup'")).isEqualTo(1);
            assertThat(bed.targetLong("SELECT count(*) FROM keyless WHERE a = 3")).isEqualTo(1);
            assertThat(done.finalStats().cdcUpdateCounter()).isEqualTo(2);
            assertThat(done.finalStats().cdcDeleteCounter()).isEqualTo(1);
        }
    }

    @Test
    void aPrimaryKeyOnAGeneratedColumnCountsAsNoKeySinceItsValuesAreNotInTheStream() {
        Testbed bed = Testbed.create(source, target, "genkey",
                "CREATE TABLE genkey (x int, y int GENERATED ALWAYS AS (x * 2) STORED PRIMARY KEY, note text)");
        bed.source("INSERT INTO genkey (x, note) SELECT g, 'n' FROM generate_series(1, 10) g");
        try (OnlineReplication refused = bed.replication("genkey-refused", spool, b -> { })) {
            assertThatThrownBy(refused::prepare)
                    .isInstanceOfSatisfying(EngineException.class,
                            e -> assertThat(e.error()).isEqualTo(EngineError.NO_REPLICA_IDENTITY))
                    .hasMessageContaining("public.genkey");
        }
        try (OnlineReplication r = bed.startOnline(bed.replication("genkey", spool, b -> b.allowReplicaIdentityFull(true)),
                "genkey")) {
            assertThat(bed.sourceString("SELECT relreplident FROM pg_class WHERE relname = 'genkey'")).isEqualTo("f");
            bed.source("UPDATE genkey SET note = 'changed' WHERE x = 3");
            bed.source("DELETE FROM genkey WHERE x = 4");
            r.cutover(Duration.ofSeconds(60));
            assertThat(bed.assertSameRows("genkey", "y")).isEqualTo(9);
            assertThat(bed.targetLong("SELECT count(*) FROM genkey WHERE note = 'changed'")).isEqualTo(1);
        }
    }

    @Test
    void changesToAnInheritanceParentLeaveItsChildrensRowsAlone() {
        Testbed bed = Testbed.create(source, target, "inherit", "CREATE TABLE parent (id int PRIMARY KEY, v text);"
                + " CREATE TABLE child (extra int) INHERITS (parent); ALTER TABLE child ADD PRIMARY KEY (id);"
                + " CREATE TABLE kparent (a int, b text); CREATE TABLE kchild () INHERITS (kparent)");
        // Same keys, and rows at the same ctid in parent and child: a statement that is not ONLY the parent's
        // reaches both.
        bed.source("INSERT INTO parent VALUES (1, 'p'), (2, 'p'); INSERT INTO child VALUES (1, 'c', 0), (2, 'c', 0);"
                + " INSERT INTO kparent VALUES (1, 'same'), (2, 'same'); INSERT INTO kchild VALUES (1, 'same'), (2, 'same')");
        try (OnlineReplication r = bed.startOnline(bed.replication("inherit", spool, b -> b.allowReplicaIdentityFull(true)),
                "parent", "child", "kparent", "kchild")) {
            bed.source("UPDATE ONLY parent SET v = 'p2' WHERE id = 1");
            bed.source("DELETE FROM ONLY parent WHERE id = 2");
            bed.source("UPDATE ONLY kparent SET b = 'changed' WHERE a = 1");
            bed.source("DELETE FROM ONLY kparent WHERE a = 2");
            bed.source("UPDATE child SET v = 'c2' WHERE id = 2");
            r.cutover(Duration.ofSeconds(60));
            assertThat(bed.assertSameRows("ONLY parent", "id")).isEqualTo(1);
            assertThat(bed.assertSameRows("child", "id")).isEqualTo(2);
            assertThat(bed.assertSameRows("ONLY kparent", "a")).isEqualTo(1);
            assertThat(bed.assertSameRows("kchild", "a")).isEqualTo(2);
            assertThat(bed.targetString("SELECT string_agg(v, ',' ORDER BY id) FROM child")).isEqualTo("c,c2");
        }
    }

    @Test
    void tablesWithoutColumnsOrWithOnlyGeneratedOnesKeepTheirRowCount() {
        Testbed bed = Testbed.create(source, target, "nocols", "CREATE TABLE nocols ();"
                + " CREATE TABLE onlygen (g int GENERATED ALWAYS AS (7) STORED)");
        bed.source("INSERT INTO nocols DEFAULT VALUES; INSERT INTO nocols DEFAULT VALUES;"
                + " INSERT INTO onlygen DEFAULT VALUES");
        try (OnlineReplication r = bed.startOnline(bed.replication("nocols", spool, b -> b.allowReplicaIdentityFull(true)),
                "nocols", "onlygen")) {
            // More than a batch: a run of inserts that long would otherwise switch to COPY, which needs a column.
            bed.source("INSERT INTO nocols SELECT FROM generate_series(1, 5000)");
            bed.source("DELETE FROM nocols WHERE ctid = (SELECT ctid FROM nocols LIMIT 1)");
            bed.source("INSERT INTO onlygen SELECT FROM generate_series(1, 3)");
            bed.source("DELETE FROM onlygen WHERE ctid = (SELECT ctid FROM onlygen LIMIT 1)");
            r.cutover(Duration.ofSeconds(60));
            assertThat(bed.targetLong("SELECT count(*) FROM nocols")).isEqualTo(5001);
            assertThat(bed.targetString("SELECT count(*) || ' rows of ' || min(g) FROM onlygen")).isEqualTo("3 rows of 7");
        }
    }

    @Test
    void unchangedToastValuesAreLeftOutOfTheUpdate() {
        Testbed bed = Testbed.create(source, target, "toast", "CREATE TABLE docs (id int PRIMARY KEY, title text,"
                + " body text, extra text)");
        // Random hex does not compress, so the values are stored out of line (external TOAST).
        bed.source("INSERT INTO docs SELECT g, 't' || g, (SELECT string_agg(md5(random()::text), '') FROM"
                + " generate_series(1, 400)), (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 300))"
                + " FROM generate_series(1, 5) g");
        try (OnlineReplication r = bed.startOnline("toast", spool, "docs")) {
            bed.source("UPDATE docs SET title = 'renamed' WHERE id <= 3");
            bed.source("UPDATE docs SET extra = 'small now' WHERE id = 4");
            bed.source("UPDATE docs SET body = body || 'tail' WHERE id = 5");
            r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("docs", "id");
            assertThat(bed.targetLong("SELECT count(*) FROM docs WHERE length(body) = 12800")).isEqualTo(4);
            assertThat(bed.targetString("SELECT body FROM docs WHERE id = 1")).doesNotContain("unchanged");
        }
    }

    @Test
    void updatesThatChangeNothingStillApplyAndFindTheirRow() {
        Testbed bed = Testbed.create(source, target, "noop", "CREATE TABLE n (id int PRIMARY KEY, v int, big text);"
                + " CREATE TABLE keyonly (id int PRIMARY KEY)");
        bed.source("INSERT INTO n SELECT g, g, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200))"
                + " FROM generate_series(1, 3) g; INSERT INTO keyonly VALUES (1), (2)");
        try (OnlineReplication r = bed.startOnline("noop", spool, "n", "keyonly")) {
            bed.source("UPDATE n SET v = v");
            bed.source("UPDATE n SET big = big WHERE id = 1"); // only the key and an unchanged TOAST value arrive
            bed.source("UPDATE keyonly SET id = id");
            bed.source("UPDATE keyonly SET id = 3 WHERE id = 2");
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("n", "id");
            bed.assertSameRows("keyonly", "id");
            assertThat(done.finalStats().cdcUpdateCounter()).isEqualTo(7);
        }
    }

    @Test
    void generatedColumnsAreRecomputedAndIdentityColumnsKeepSourceValues() {
        String ddl = "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, price numeric,"
                + " qty int, total numeric GENERATED ALWAYS AS (price * qty) STORED);"
                + " CREATE TABLE events (uid uuid PRIMARY KEY, seq int GENERATED ALWAYS AS IDENTITY, note text);"
                + " CREATE TABLE counters (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n int)";
        Testbed bed = Testbed.create(source, target, "genid", ddl);
        bed.source("INSERT INTO orders (price, qty) VALUES (1.5, 2), (2.25, 4)");
        bed.source("INSERT INTO events (uid, note) VALUES ('00000000-0000-0000-0000-000000000001', 'a')");
        try (OnlineReplication r = bed.startOnline("genid", spool, "orders", "events", "counters")) {
            bed.source("INSERT INTO orders (price, qty) VALUES (10, 3)");
            bed.source("UPDATE orders SET qty = qty + 1");
            bed.source("INSERT INTO events (uid, note) VALUES ('00000000-0000-0000-0000-000000000002', 'b')");
            bed.source("UPDATE events SET note = 'changed'");
            bed.source("UPDATE events SET seq = DEFAULT WHERE note = 'changed' AND seq = 1");
            bed.source("INSERT INTO counters (n) VALUES (1), (2); INSERT INTO counters VALUES (100, 3)");
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("orders", "id");
            bed.assertSameRows("events", "uid");
            bed.assertSameRows("counters", "id");
            assertThat(bed.targetString("SELECT string_agg(total::text, ',' ORDER BY id) FROM orders"))
                    .isEqualTo("4.5,11.25,40");
            // Identity columns made writable for apply are ALWAYS again, and sequences carry on from the source.
            assertThat(bed.targetString("SELECT attidentity FROM pg_attribute WHERE attrelid = 'events'::regclass"
                    + " AND attname = 'seq'")).isEqualTo("a");
            assertThat(done.sequencesSynchronized()).isEqualTo(3);
            bed.target("INSERT INTO orders (price, qty) VALUES (1, 1)");
            assertThat(bed.targetLong("SELECT max(id) FROM orders")).isEqualTo(4);
        }
    }

    @Test
    void interleavedChangesToSeveralTablesKeepEachTablesOrder() {
        // Each table's changes are batched apart from the others', so this mixes, in one stream of small
        // transactions: key reuse within a table (delete then re-insert of the same key), a child row inserted
        // before its parent row, a long insert run that turns into COPY while other tables' batches are pending,
        // and an UPDATE of the same row right after it was copied.
        Testbed bed = Testbed.create(source, target, "interleave", "CREATE TABLE parent (id int PRIMARY KEY, v text);"
                + " CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent DEFERRABLE INITIALLY"
                + " DEFERRED, n int);"
                + " CREATE TABLE tally (k int PRIMARY KEY, hits bigint NOT NULL);"
                + " CREATE TABLE history (id bigint PRIMARY KEY, k int, note text)");
        bed.source("INSERT INTO tally SELECT g, 0 FROM generate_series(1, 10) g");
        try (OnlineReplication r = bed.startOnline("interleave", spool, "parent", "child", "tally", "history")) {
            StringBuilder sql = new StringBuilder();
            for (int i = 1; i <= 1500; i++) {
                int k = 1 + i % 10;
                sql.append("BEGIN; UPDATE tally SET hits = hits + ").append(i).append(" WHERE k = ").append(k)
                        .append("; INSERT INTO history VALUES (").append(i).append(", ").append(k)
                        .append(", 'h").append(i).append("');");
                if (i % 7 == 0) {
                    sql.append(" INSERT INTO child VALUES (").append(i).append(", ").append(i).append(", 0);")
                            .append(" INSERT INTO parent VALUES (").append(i).append(", 'p").append(i).append("');");
                }
                if (i % 7 == 3 && i > 7) {
                    int gone = (i / 7) * 7;
                    sql.append(" DELETE FROM child WHERE id = ").append(gone).append(";")
                            .append(" DELETE FROM parent WHERE id = ").append(gone).append(";")
                            .append(" INSERT INTO parent VALUES (").append(gone).append(", 'again');")
                            .append(" UPDATE tally SET hits = hits - 1 WHERE k = ").append(k).append(";");
                }
                sql.append(" COMMIT;");
            }
            bed.source(sql.toString());
            bed.source("BEGIN; INSERT INTO history SELECT g, 0, 'bulk' FROM generate_series(100001, 103500) g;"
                    + " UPDATE tally SET hits = 0 WHERE k = 1; UPDATE history SET note = 'touched' WHERE id = 100002;"
                    + " INSERT INTO history SELECT g, 0, 'bulk' FROM generate_series(103501, 104000) g;"
                    + " DELETE FROM history WHERE id = 103999; COMMIT");
            CutoverResult done = r.cutover(Duration.ofSeconds(120));
            assertThat(bed.assertSameRows("tally", "k")).isEqualTo(10);
            assertThat(bed.assertSameRows("history", "id")).isEqualTo(1500 + 3999);
            bed.assertSameRows("parent", "id");
            bed.assertSameRows("child", "id");
            assertThat(done.finalStats().peakBatchRows()).isLessThanOrEqualTo(1000);
        }
    }

    @Test
    void repeatedUpdatesOfARowCollapseOnlyWhereNoOtherUniqueColumnCanCollide() {
        // hot: many updates of few rows, primary key only, so each batch may keep only a row's last update.
        // handles: two rows swap a UNIQUE value through an intermediate one; keeping only each row's last update
        // would set both rows to the same value at some point, so this table's updates must all run.
        Testbed bed = Testbed.create(source, target, "collapse", "CREATE TABLE hot (id int PRIMARY KEY, n bigint,"
                + " note text); CREATE TABLE handles (id int PRIMARY KEY, handle text UNIQUE, v int)");
        bed.source("INSERT INTO hot SELECT g, 0, 'start' FROM generate_series(1, 3) g;"
                + " INSERT INTO handles VALUES (1, 'a', 0), (2, 'b', 0)");
        try (OnlineReplication r = bed.startOnline("collapse", spool, "hot", "handles")) {
            StringBuilder sql = new StringBuilder("BEGIN;");
            for (int i = 1; i <= 3000; i++) {
                sql.append(" UPDATE hot SET n = n + ").append(i).append(", note = 'n").append(i)
                        .append("' WHERE id = ").append(1 + i % 3).append(';');
                if (i % 1000 == 0) { // three swaps: an odd number, so the two rows end swapped
                    sql.append(" UPDATE handles SET handle = 'tmp', v = v + 1 WHERE id = 1;")
                            .append(" UPDATE handles SET handle = CASE handle WHEN 'a' THEN 'b' ELSE 'a' END,")
                            .append(" v = v + 1 WHERE id = 2;")
                            .append(" UPDATE handles SET handle = CASE (SELECT handle FROM handles WHERE id = 2)")
                            .append(" WHEN 'a' THEN 'b' ELSE 'a' END, v = v + 1 WHERE id = 1;");
                }
            }
            bed.source(sql.append(" COMMIT").toString());
            CutoverResult done = r.cutover(Duration.ofSeconds(120));
            assertThat(bed.assertSameRows("hot", "id")).isEqualTo(3);
            assertThat(bed.assertSameRows("handles", "id")).isEqualTo(2);
            assertThat(done.finalStats().cdcUpdateCounter()).isEqualTo(3000 + 9);
            assertThat(bed.targetLong("SELECT n FROM hot WHERE id = 1")).isEqualTo(
                    java.util.stream.IntStream.rangeClosed(1, 3000).filter(i -> 1 + i % 3 == 1).asLongStream().sum());
        }
    }

    @Test
    void truncateIncludingCascadeAndRestartIdentityReplicates() {
        Testbed bed = Testbed.create(source, target, "trunc", "CREATE TABLE parent (id int PRIMARY KEY);"
                + " CREATE TABLE child (id serial PRIMARY KEY, parent_id int REFERENCES parent);"
                + " CREATE TABLE other (id int PRIMARY KEY)");
        bed.source("INSERT INTO parent SELECT generate_series(1, 10); INSERT INTO child (parent_id) SELECT"
                + " generate_series(1, 10); INSERT INTO other VALUES (1)");
        try (OnlineReplication r = bed.startOnline("trunc", spool, "parent", "child", "other")) {
            bed.source("TRUNCATE parent CASCADE");
            bed.source("INSERT INTO parent VALUES (42); INSERT INTO child (parent_id) VALUES (42)");
            bed.source("TRUNCATE other RESTART IDENTITY");
            bed.source("INSERT INTO other VALUES (7)");
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("parent", "id");
            bed.assertSameRows("child", "id");
            bed.assertSameRows("other", "id");
            assertThat(done.finalStats().cdcTruncateCounter()).isEqualTo(2);
        }
    }

    @Test
    void floatsBigintsAndNumericsArriveExactly() {
        Testbed bed = Testbed.create(source, target, "exact", "CREATE TABLE v (id int PRIMARY KEY, d float8,"
                + " r real, b bigint, n numeric, m money)");
        try (OnlineReplication r = bed.startOnline("exact", spool, "v")) {
            bed.source("INSERT INTO v VALUES (1, -216237.00000035969, 1.1, 35506143, 0.00000000000000006938893903907228,"
                    + " 12.34), (2, 1.7976931348623157e308, 3.4028235e38, 9223372036854775807,"
                    + " 123456789012345678901234567890.123456789012345678901234567890, -1), (3, 'NaN', '-Infinity',"
                    + " -9223372036854775808, 'NaN', 0), (4, 0.1, 0.1, 1, 1e-1000, 0), (5, 5e-324, 1e-45, 0,"
                    + " -0.0000000000000000000000000000000000001, 0)");
            bed.source("UPDATE v SET d = d / 3, n = n / 7 WHERE id IN (1, 4)");
            r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("v", "id");
            assertThat(bed.targetString("SELECT d::text || ' ' || b::text FROM v WHERE id = 2"))
                    .isEqualTo("1.7976931348623157e+308 9223372036854775807");
            assertThat(bed.targetString("SELECT n::text FROM v WHERE id = 1"))
                    .isEqualTo(bed.sourceString("SELECT n::text FROM v WHERE id = 1"));
        }
    }

    @Test
    void quotedNamesQuotesInValuesByteaArraysAndJsonbSurvive() {
        String ddl = "CREATE SCHEMA \"Mixed Schema\"; CREATE TABLE \"Mixed Schema\".\"Order \"\"Lines\"\"\""
                + " (\"Id\" int PRIMARY KEY, \"select\" text, \"Bytes\" bytea, ints int[], texts text[], doc jsonb,"
                + " bits varbit, at timestamptz, span interval)";
        Testbed bed = Testbed.create(source, target, "quoted", ddl);
        String table = "\"Mixed Schema\".\"Order \"\"Lines\"\"\"";
        try (OnlineReplication r = bed.startOnline("quoted", spool, table)) {
            bed.source("INSERT INTO " + table + " VALUES (1, 'it''s \"quoted\" \\ back\\slash\ttab\nnewline', '\\x00ff27',"
                    + " '{1,NULL,3}', ARRAY['a\"b', NULL, 'null', 'c,d', ''], '{\"k\": \"v''s\", \"n\": 1.50}', B'10101',"
                    + " '2024-02-29 23:59:59.999999+05:30', '1 year 2 mons 3 days 04:05:06.7'),"
                    + " (2, 'null', '', '{}', '{}', 'null', B'', 'infinity', '-1 day'), (3, '😀 ünïcødé', NULL, NULL,"
                    + " NULL, '[]', NULL, NULL, NULL)");
            bed.source("UPDATE " + table + " SET \"select\" = 'O''Brien', doc = doc || '{\"x\": [1, \"y\"]}' WHERE \"Id\" = 1");
            bed.source("DELETE FROM " + table + " WHERE \"Id\" = 3");
            r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows(table, "\"Id\"");
        }
    }

    @Test
    void manyRowUpdatesRunAsOneStatementAndKeepEveryValueExact() {
        // Updates of distinct rows in one batch travel as arrays into one UPDATE ... FROM unnest(...): every value
        // is quoted inside an array literal, so quotes, backslashes, braces, commas, the word NULL and real NULLs
        // must all come out as they went in. int[] and box columns cannot travel that way and fall back to one
        // statement per row.
        String ddl = "CREATE TYPE mood AS ENUM ('ok', 'sad, really', 'x\"y'); CREATE DOMAIN posint AS int CHECK (VALUE > 0);"
                + " CREATE TABLE \"Wide\" (\"Id\" bigint PRIMARY KEY, \"Text\" text, n numeric(12,3), f float8, j jsonb,"
                + " b bytea, at timestamptz, m mood, p posint, c char(6));"
                + " CREATE TABLE odd (id int PRIMARY KEY, tags int[], bx box)";
        Testbed bed = Testbed.create(source, target, "unnest", ddl);
        String table = "\"Wide\"";
        bed.source("INSERT INTO " + table + " SELECT g, 't' || g, g, g, '{}', '\\x00', now(), 'ok', 1, 'c'"
                + " FROM generate_series(1, 400) g; INSERT INTO odd SELECT g, '{1}', '((0,0),(1,1))'"
                + " FROM generate_series(1, 100) g");
        try (OnlineReplication r = bed.startOnline("unnest", spool, table, "odd")) {
            bed.source("BEGIN;"
                    + " UPDATE " + table + " SET \"Text\" = CASE \"Id\" % 8 WHEN 0 THEN 'it''s \"quoted\" \\ {brace}, comma'"
                    + " WHEN 1 THEN NULL WHEN 2 THEN 'NULL' WHEN 3 THEN '' WHEN 4 THEN '😀 ünïcødé\ttab\nline'"
                    + " WHEN 5 THEN ' spaced ' ELSE repeat('x', \"Id\"::int) END,"
                    + " n = \"Id\" * 1.001, f = \"Id\" / 3.0, j = jsonb_build_object('k', 'v\"' || \"Id\", 'a', ARRAY[1, 2]),"
                    + " b = decode(md5(\"Id\"::text), 'hex'), at = '2024-02-29 23:59:59.999999+05:30',"
                    + " m = CASE WHEN \"Id\" % 2 = 0 THEN 'sad, really' ELSE 'x\"y' END::mood, p = \"Id\", c = 'ab'"
                    + " WHERE \"Id\" <= 300;"
                    + " UPDATE odd SET tags = ARRAY[id, NULL], bx = '((1,2),(3,4))';"
                    + " COMMIT");
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            assertThat(bed.assertSameRows(table, "\"Id\"")).isEqualTo(400);
            assertThat(bed.assertSameRows("odd", "id")).isEqualTo(100);
            assertThat(done.finalStats().cdcUpdateCounter()).isEqualTo(400);
        }
    }

    @Test
    void manyRowInsertsRunAsOneStatementAndKeepEveryValueExact() {
        // A batch of inserts travels as arrays into one INSERT ... SELECT FROM unnest(...), with OVERRIDING SYSTEM
        // VALUE for an identity column; int[] and box columns cannot travel that way and fall back to one statement
        // per row. Another table's change in every transaction keeps the inserts out of a COPY run.
        String ddl = "CREATE TYPE mood AS ENUM ('ok', 'sad, really', 'x\"y'); CREATE DOMAIN posint AS int CHECK (VALUE > 0);"
                + " CREATE TABLE \"Wide\" (\"Id\" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \"Text\" text,"
                + " n numeric(12,3), f float8, j jsonb, b bytea, at timestamptz, m mood, p posint, c char(6));"
                + " CREATE TABLE odd (id int PRIMARY KEY, tags int[], bx box);"
                + " CREATE TABLE tick (id int PRIMARY KEY, n int)";
        Testbed bed = Testbed.create(source, target, "unnest_ins", ddl);
        bed.source("INSERT INTO tick VALUES (1, 0)");
        String table = "\"Wide\"";
        try (OnlineReplication r = bed.startOnline("unnest_ins", spool, table, "odd", "tick")) {
            StringBuilder tx = new StringBuilder("BEGIN;");
            for (int g = 1; g <= 300; g += 30) {
                tx.append(" INSERT INTO ").append(table).append(" (\"Text\", n, f, j, b, at, m, p, c)"
                        + " SELECT CASE g % 8 WHEN 0 THEN 'it''s \"quoted\" \\ {brace}, comma' WHEN 1 THEN NULL"
                        + " WHEN 2 THEN 'NULL' WHEN 3 THEN '' WHEN 4 THEN '😀 ünïcødé\ttab\nline' WHEN 5 THEN ' spaced '"
                        + " ELSE repeat('x', g) END, g * 1.001, g / 3.0, jsonb_build_object('k', 'v\"' || g),"
                        + " decode(md5(g::text), 'hex'), '2024-02-29 23:59:59.999999+05:30',"
                        + " CASE WHEN g % 2 = 0 THEN 'sad, really' ELSE 'x\"y' END::mood, g, 'ab'"
                        + " FROM generate_series(").append(g).append(", ").append(g + 29).append(") g;")
                        .append(" INSERT INTO odd SELECT g, ARRAY[g, NULL], '((1,2),(3,4))' FROM generate_series(")
                        .append(g).append(", ").append(g + 29).append(") g;")
                        .append(" UPDATE tick SET n = n + 1;");
            }
            bed.source(tx.append(" COMMIT").toString());
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            assertThat(bed.assertSameRows(table, "\"Id\"")).isEqualTo(300);
            assertThat(bed.assertSameRows("odd", "id")).isEqualTo(300);
            assertThat(bed.assertSameRows("tick", "id")).isEqualTo(1);
            assertThat(done.finalStats().cdcInsertCounter()).isEqualTo(600);
        }
    }

    @Test
    void anUpdateOfARowMissingOnTheTargetStopsReplicationAndNamesTheRow() {
        Testbed bed = Testbed.create(source, target, "diverged", "CREATE TABLE t (id int PRIMARY KEY, v text)");
        bed.source("INSERT INTO t SELECT g, 'v' FROM generate_series(1, 50) g");
        try (OnlineReplication r = bed.startOnline("diverged", spool, "t")) {
            bed.awaitCaughtUp(r);
            bed.target("DELETE FROM t WHERE id = 37");
            bed.source("UPDATE t SET v = 'changed'");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> r.stats().state() == ReplicationState.FAILED);
            assertThat(r.stats().failure()).contains("public.t").contains("matched no row")
                    .contains("key (id)=(37)").contains("Start the migration again");
            assertThat(bed.targetLong("SELECT count(*) FROM t WHERE v = 'changed'")).as("nothing half-applied")
                    .isZero();
            r.cancel();
        }
    }

    @Test
    void targetTriggersDoNotFire() {
        Testbed bed = Testbed.create(source, target, "triggers", "CREATE TABLE t (id int PRIMARY KEY, v text)");
        bed.target("CREATE TABLE audit (what text); CREATE FUNCTION log_it() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$BEGIN INSERT INTO audit VALUES (TG_OP); RETURN NEW; END$$;"
                + " CREATE TRIGGER t_audit AFTER INSERT OR UPDATE OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION log_it()");
        try (OnlineReplication r = bed.startOnline("triggers", spool, "t")) {
            bed.source("INSERT INTO t VALUES (1, 'a'), (2, 'b'); UPDATE t SET v = 'c'; DELETE FROM t WHERE id = 2");
            r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("t", "id");
            assertThat(bed.targetLong("SELECT count(*) FROM audit")).isZero();
        }
    }

    @Test
    void logicalMessagesAreSkipped() {
        Testbed bed = Testbed.create(source, target, "messages", "CREATE TABLE t (id int PRIMARY KEY)");
        try (OnlineReplication r = bed.startOnline("messages", spool, "t")) {
            bed.source("SELECT pg_logical_emit_message(false, 'other-tool-heartbeat', 'x')");
            bed.source("BEGIN; INSERT INTO t VALUES (1); SELECT pg_logical_emit_message(false, 'hb', 'inside');"
                    + " SELECT pg_logical_emit_message(true, 'tx', 'transactional'); INSERT INTO t VALUES (2); COMMIT");
            bed.source("SELECT pg_logical_emit_message(true, 'alone', 'y')");
            CutoverResult done = r.cutover(Duration.ofSeconds(60));
            bed.assertSameRows("t", "id");
            assertThat(done.finalStats().appliedChanges()).isEqualTo(2);
        }
    }

    @Test
    void aNewColumnOnTheSourceStopsReplicationWithSchemaChanged() {
        Testbed bed = Testbed.create(source, target, "ddlcol", "CREATE TABLE t (id int PRIMARY KEY, v text)");
        try (OnlineReplication r = bed.startOnline("ddlcol", spool, "t")) {
            bed.source("INSERT INTO t VALUES (1, 'a')");
            bed.awaitCaughtUp(r);
            bed.source("ALTER TABLE t ADD COLUMN extra int");
            bed.source("INSERT INTO t VALUES (2, 'b', 7)");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> r.stats().state() == ReplicationState.FAILED);
            assertThat(r.stats().failure()).contains("public.t").contains("\"extra\"").contains("DDL");
            assertThatThrownBy(() -> r.cutover(Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.error())
                            .isEqualTo(EngineError.SCHEMA_CHANGED_DURING_REPLICATION));
            assertThat(bed.targetLong("SELECT count(*) FROM t")).isEqualTo(1);
            assertThat(bed.slotExists(r.names().slot())).as("slot kept for a resume").isTrue();
            r.cancel();
            assertThat(bed.slotExists(r.names().slot())).isFalse();
        }
    }

    @Test
    void aNewTableOnTheSourceStopsReplicationWithSchemaChanged() {
        Testbed bed = Testbed.create(source, target, "ddltable", "CREATE TABLE t (id int PRIMARY KEY)");
        try (OnlineReplication r = bed.startOnline("ddltable", spool, "t")) {
            bed.source("CREATE TABLE newer (id int PRIMARY KEY); INSERT INTO newer VALUES (1)");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> r.stats().state() == ReplicationState.FAILED);
            assertThat(r.stats().failure()).contains("public.newer").contains("does not exist on the target");
            r.cancel();
        }
    }

    @Test
    void aNewTableIsCaughtEvenWhenANonSuperuserPublicationListsTables() {
        source.execute("postgres", "CREATE ROLE table_owner LOGIN REPLICATION PASSWORD 'owner-pw'");
        Testbed bed = Testbed.create(source, target, "ddlowned", "");
        source.execute("postgres", "GRANT CREATE ON DATABASE ddlowned TO table_owner");
        bed.source("CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t OWNER TO table_owner");
        bed.target("CREATE TABLE t (id int PRIMARY KEY)");
        OnlineReplication replication = new OnlineReplication(ReplicationConfig.builder("ddlowned",
                        PgEndpoint.parse(source.uri("ddlowned", "table_owner", "owner-pw")), bed.targetEndpoint(),
                        spool.resolve("ddlowned")).monitorInterval(Duration.ofMillis(200)).build(),
                new org.pgmigrate.engine.pg.PgConnector());
        try (OnlineReplication r = bed.startOnline(replication, "t")) {
            source.execute("ddlowned", "CREATE TABLE later (id int PRIMARY KEY);"
                    + " INSERT INTO later VALUES (1)");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> r.stats().state() == ReplicationState.FAILED);
            assertThat(r.stats().failure()).contains("public.later").contains("not in publication");
            r.cancel();
        }
    }

    @Test
    void twoMigrationsFromTheSameSourceDoNotCollide() {
        Testbed bed = Testbed.create(source, target, "shared", "CREATE TABLE t (id int PRIMARY KEY, v int)");
        target.createDatabase("shared_copy");
        target.execute("shared_copy", "CREATE TABLE t (id int PRIMARY KEY, v int)");
        bed.source("INSERT INTO t SELECT g, g FROM generate_series(1, 10) g");
        OnlineReplication first = bed.startOnline("migration-one", spool, "t");
        ReplicationConfig secondConfig = ReplicationConfig.builder("migration-two", bed.sourceEndpoint(),
                org.pgmigrate.engine.pg.PgEndpoint.parse(target.uri("shared_copy")), spool.resolve("two")).build();
        try (first; OnlineReplication second = new OnlineReplication(secondConfig, new org.pgmigrate.engine.pg.PgConnector())) {
            SlotSnapshot slot = second.prepare();
            assertThat(slot.slotName()).isNotEqualTo(first.names().slot());
            second.startCapture();
            try (var c = target.connect("shared_copy"); var s = source.connect("shared")) {
                s.setAutoCommit(false);
                s.createStatement().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                s.createStatement().execute("SET TRANSACTION SNAPSHOT '" + slot.snapshotName() + "'");
                var data = new java.io.ByteArrayOutputStream();
                s.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut("COPY t TO STDOUT", data);
                c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn("COPY t FROM STDIN",
                        new java.io.ByteArrayInputStream(data.toByteArray()));
                s.commit();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            second.startApply();
            bed.source("UPDATE t SET v = v * 10 WHERE id <= 5; INSERT INTO t VALUES (11, 11)");
            first.cancel();
            assertThat(bed.slotExists(second.names().slot())).isTrue();
            bed.source("DELETE FROM t WHERE id = 1");
            CutoverResult done = second.cutover(Duration.ofSeconds(60));
            assertThat(done.finalStats().appliedChanges()).isEqualTo(7);
            String rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";
            try (var c = target.connect("shared_copy"); var rs = c.createStatement().executeQuery(rows)) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(bed.sourceString(rows));
            }
            assertThat(bed.sourceLong("SELECT count(*) FROM pg_replication_slots")).isZero();
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cancelDropsSlotAndPublicationAndKeepsTargetData() {
        Testbed bed = Testbed.create(source, target, "cancel", "CREATE TABLE t (id int PRIMARY KEY)");
        try (OnlineReplication r = bed.startOnline("cancel", spool, "t")) {
            bed.source("INSERT INTO t VALUES (1)");
            bed.awaitCaughtUp(r);
            r.cancel();
            assertThat(r.stats().state()).isEqualTo(ReplicationState.CANCELED);
            assertThat(bed.slotExists(r.names().slot())).isFalse();
            assertThat(bed.publicationExists(r.names().publication())).isFalse();
            assertThat(bed.targetLong("SELECT count(*) FROM pg_replication_origin WHERE roname = '"
                    + r.names().origin() + "'")).isZero();
            assertThat(bed.targetLong("SELECT count(*) FROM t")).isEqualTo(1);
        }
    }

    /**
     * 50,000 rows are enough for every limit involved: the stream's chunks (logical_decoding_work_mem=64kB), apply's
     * batches (1000 rows), and, with 1 MiB spool segments, a transaction spread over several segments (the default
     * 64 MiB segment would have needed a transaction of half a million rows and some 40 s to show it).
     */
    @Test
    void aFiftyThousandRowTransactionIsSpooledToDiskOverSeveralSegmentsAndConfirmedBeforeApply() {
        int rows = 50_000;
        long segmentBytes = 1 << 20;
        Testbed bed = Testbed.create(source, target, "bigtx", "CREATE TABLE big (id int PRIMARY KEY, payload text)");
        OnlineReplication r = bed.replication("bigtx", spool, b -> b.spool(segmentBytes, Duration.ofMillis(100)));
        try (r) {
            SlotSnapshot slot = r.prepare();
            r.startCapture();
            bed.baseCopy(slot.snapshotName(), "big");
            r.releaseSnapshot();
            bed.source("INSERT INTO big SELECT g, repeat('x', 100) || g FROM generate_series(1, " + rows + ") g");
            Lsn afterCommit = Lsn.parse(bed.sourceString("SELECT pg_current_wal_insert_lsn()::text"));
            // Streamed in chunks (logical_decoding_work_mem=64kB), spooled, fsynced and confirmed to the source
            // while nothing is applied yet: the source may recycle that WAL during a long copy.
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).until(() ->
                    Lsn.parse(bed.sourceString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE"
                            + " slot_name = '" + slot.slotName() + "'")).compareTo(afterCommit) >= 0);
            assertThat(r.stats().spooledLsn()).isGreaterThanOrEqualTo(afterCommit);
            ReplicationStats spooled = r.stats();
            assertThat(spooled.spoolBytes()).isGreaterThan(rows * 100L).isGreaterThan(4 * segmentBytes);
            assertThat(spooled.incomingChanges()).isEqualTo(rows);
            assertThat(spooled.appliedChanges()).isZero();
            assertThat(spooled.latency()).isPositive();
            r.startApply();
            CutoverResult done = r.cutover(Duration.ofMinutes(2));
            assertThat(bed.targetLong("SELECT count(*) FROM big")).isEqualTo(rows);
            assertThat(bed.targetString("SELECT payload FROM big WHERE id = " + (rows - 1))).endsWith("x" + (rows - 1));
            assertThat(done.finalStats().cdcInsertCounter()).isEqualTo(rows);
            // Apply holds one batch of rows at a time, never the transaction.
            assertThat(done.finalStats().peakBatchRows()).isLessThanOrEqualTo(1000);
            assertThat(done.finalStats().latency()).isZero();
        }
    }

    @Test
    void streamedTransactionsHonourSubtransactionRollbacks() {
        Testbed bed = Testbed.create(source, target, "subxact", "CREATE TABLE s (id int PRIMARY KEY, phase text)");
        try (OnlineReplication r = bed.startOnline("subxact", spool, "s")) {
            bed.source("BEGIN; INSERT INTO s SELECT g, 'kept' FROM generate_series(1, 20000) g;"
                    + " SAVEPOINT a; INSERT INTO s SELECT g, 'rolled back' FROM generate_series(20001, 40000) g;"
                    + " SAVEPOINT b; UPDATE s SET phase = 'nested, rolled back' WHERE id <= 100;"
                    + " ROLLBACK TO a; INSERT INTO s SELECT g, 'after rollback' FROM generate_series(40001, 45000) g;"
                    + " SAVEPOINT c; DELETE FROM s WHERE id <= 10; RELEASE c; COMMIT");
            bed.source("BEGIN; INSERT INTO s SELECT g, 'aborted' FROM generate_series(100001, 130000) g; ROLLBACK");
            bed.source("INSERT INTO s VALUES (0, 'small')");
            CutoverResult done = r.cutover(Duration.ofSeconds(90));
            bed.assertSameRows("s", "id");
            assertThat(bed.targetLong("SELECT count(*) FROM s")).isEqualTo(20000 - 10 + 5000 + 1);
            assertThat(done.finalStats().incomingChanges()).isEqualTo(20000 + 5000 + 10 + 1);
            assertThat(done.finalStats().appliedChanges()).isEqualTo(done.finalStats().incomingChanges());
        }
    }

    @Test
    void anIdleDatabaseOnABusySourceKeepsItsSlotAdvancingAndShowsNoLag() {
        Testbed bed = Testbed.create(source, target, "idle", "CREATE TABLE t (id int PRIMARY KEY)");
        source.createDatabase("busy");
        source.execute("busy", "CREATE TABLE noise (id serial PRIMARY KEY, v text)");
        try (OnlineReplication r = bed.startOnline("idle", spool, "t")) {
            bed.source("INSERT INTO t VALUES (1)");
            bed.awaitCaughtUp(r);
            for (int i = 0; i < 20; i++) {
                source.execute("busy", "INSERT INTO noise (v) SELECT repeat('n', 200) FROM generate_series(1, 2000)");
            }
            Lsn afterNoise = Lsn.parse(bed.sourceString("SELECT pg_current_wal_insert_lsn()::text"));
            // Keepalives carry the source's position to the target side and back as the slot's confirmed position.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    Lsn.parse(bed.sourceString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE"
                            + " slot_name = '" + r.names().slot() + "'")).compareTo(afterNoise) >= 0);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ReplicationStats s = r.stats();
                assertThat(s.latency()).isZero();
                assertThat(s.pendingBytes()).isLessThan(64 * 1024);
                assertThat(s.durableLsn()).isGreaterThanOrEqualTo(afterNoise);
            });
            r.cancel();
        }
    }

    @Test
    void noPasswordReachesLogsStatsOrSpoolFiles() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        root.addAppender(appender);
        Testbed bed = Testbed.create(source, target, "secret", "CREATE TABLE t (id int PRIMARY KEY, v text)");
        String password = source.password();
        try (OnlineReplication r = bed.startOnline("secret", spool, "t")) {
            bed.source("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 100) g");
            bed.awaitCaughtUp(r);
            bed.source("ALTER TABLE t ADD COLUMN extra int; INSERT INTO t VALUES (1000, 'x', 1)");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> r.stats().state() == ReplicationState.FAILED);
            assertThat(r.stats().toString()).doesNotContain(password);
            try (var files = java.nio.file.Files.walk(spool)) {
                for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                    assertThat(new String(java.nio.file.Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
                            .as(f.toString()).doesNotContain(password);
                }
            }
            r.cancel();
        } finally {
            root.detachAppender(appender);
        }
        assertThat(appender.list).isNotEmpty();
        for (ch.qos.logback.classic.spi.ILoggingEvent e : appender.list) {
            assertThat(e.getFormattedMessage()).doesNotContain(password);
            if (e.getThrowableProxy() != null) {
                assertThat(e.getThrowableProxy().getMessage()).doesNotContain(password);
            }
        }
    }
}
