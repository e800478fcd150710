package org.pgmigrate.engine.cdc.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.cdc.Lsn;

class SpoolTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void readerSeesOnlyWholeTransactions() throws Exception {
        try (Spool spool = Spool.open(dir, MIB, (l, t) -> { })) {
            SpoolReader reader = spool.reader();
            spool.appendMessage(begin(0x100));
            spool.appendMessage(change("a"));
            assertThat(reader.next(10, TimeUnit.MILLISECONDS)).isNull();
            spool.appendMessage(commit(0x100, 0x110));
            spool.endTransaction(Lsn.of(0x110));
            assertThat(texts(reader, 3)).containsExactly("B", "I:a", "C");
            assertThat(reader.next(10, TimeUnit.MILLISECONDS)).isNull();
            assertThat(spool.highWater()).isEqualTo(Lsn.of(0x110));
            assertThat(spool.sync()).isEqualTo(Lsn.of(0x110));
        }
    }

    @Test
    void wakingTheReadersEndsAWaitAtOnceAsIfItsTimeoutHadPassed() throws Exception {
        // A stopping applier must not wait out its idle wait for data (a cutover waits for it to stop).
        try (Spool spool = Spool.open(dir, MIB, (l, t) -> { })) {
            SpoolReader reader = spool.reader();
            CompletableFuture<SpoolRecord> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.next(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long started = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                spool.wakeReaders(); // again until the reader is waiting: a wake before its wait is not seen
                assertThat(read).isDone();
            });
            assertThat(read.get()).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
            // the reader goes on reading afterwards
            spool.appendMessage(begin(0x100));
            spool.appendMessage(commit(0x100, 0x110));
            spool.endTransaction(Lsn.of(0x110));
            assertThat(texts(reader, 2)).containsExactly("B", "C");
        }
    }

    @Test
    void readAheadReturnsEveryRecordExactlyAcrossWindowEdgesLargeRecordsAndAGrowingFile() throws Exception {
        // The reader serves records from a 1 MiB read-ahead window: records straddle its edges, one is larger than
        // the window, and the writer appends after the reader cached a window that ended at the old limit.
        String large = "L".repeat(3 * (int) MIB);
        try (Spool spool = Spool.open(dir, 64 * MIB, (l, t) -> { })) {
            SpoolReader reader = spool.reader();
            List<String> expected = new ArrayList<>();
            long lsn = 0x1000;
            for (int batch = 0; batch < 3; batch++) {
                spool.appendMessage(begin(lsn));
                expected.add("B");
                for (int i = 0; i < 20_000; i++) {
                    String v = batch + "-" + i + "-" + "x".repeat(i % 97);
                    spool.appendMessage(change(v));
                    expected.add("I:" + v);
                    if (batch == 1 && i == 10_000) {
                        spool.appendMessage(change(large));
                        expected.add("I:" + large);
                    }
                }
                spool.appendMessage(commit(lsn, lsn + 0x10));
                expected.add("C");
                spool.endTransaction(Lsn.of(lsn + 0x10));
                lsn += 0x100;
                List<String> read = texts(reader, expected.size() + 1);
                assertThat(read).hasSize(expected.size());
                assertThat(read.equals(expected)).as("records read back in order and intact").isTrue();
                expected.clear();
            }
        }
    }

    @Test
    void aReaderPassesOverTransactionsAppliedBeforeAndKeepsTheirRelations() throws Exception {
        // After a restart the applier passes over what it applied before: of those transactions the reader hands
        // over only the Relation messages, which later rows need; keepalives between transactions still come.
        try (Spool spool = Spool.open(dir, 64 * MIB, (l, t) -> { })) {
            long lsn = 0x1000;
            for (int t = 0; t < 5; t++) {
                spool.appendMessage(begin(lsn));
                if (t == 1) {
                    spool.appendMessage(relation(16385));
                }
                spool.appendMessage(change("t" + t + "a"));
                spool.appendMessage(change("t" + t + "b"));
                spool.appendMessage(commit(lsn, lsn + 0x10));
                spool.endTransaction(Lsn.of(lsn + 0x10));
                if (t == 2) {
                    spool.appendKeepalive(Lsn.of(lsn + 0x20));
                }
                lsn += 0x100;
            }
            SpoolReader reader = spool.reader();
            reader.passOverTransactionsBefore(Lsn.of(0x1300)); // the first three end before it
            assertThat(texts(reader, 100)).containsExactly("R", "K:0/1220", "B", "I:t3a", "I:t3b", "C",
                    "B", "I:t4a", "I:t4b", "C");
            reader.close();

            SpoolReader all = spool.reader();
            all.passOverTransactionsBefore(Lsn.INVALID); // nothing applied yet: nothing passed over
            assertThat(texts(all, 100)).hasSize(5 * 4 + 1 + 1).startsWith("B", "I:t0a", "I:t0b", "C", "B", "R");
            all.close();
        }
    }

    @Test
    void reopeningChecksRecordsLargerThanTheReadAheadWindowToo() throws Exception {
        // Recovery checks most records in its 1 MiB window and reads larger ones directly; both kinds count.
        try (Spool spool = Spool.open(dir, 64 * MIB, (l, t) -> { })) {
            spool.appendMessage(begin(0x100));
            spool.appendMessage(change("L".repeat(3 * (int) MIB)));
            spool.appendMessage(commit(0x100, 0x110));
            spool.endTransaction(Lsn.of(0x110));
            spool.appendMessage(begin(0x200));
            spool.appendMessage(change("small"));
            spool.appendMessage(commit(0x200, 0x210));
            spool.endTransaction(Lsn.of(0x210));
            spool.sync();
        }
        List<Lsn> commits = new ArrayList<>();
        try (Spool reopened = Spool.open(dir, 64 * MIB, (l, t) -> commits.add(l))) {
            assertThat(commits).containsExactly(Lsn.of(0x110), Lsn.of(0x210));
            assertThat(reopened.highWater()).isEqualTo(Lsn.of(0x210));
            assertThat(texts(reopened.reader(), 10)).containsExactly("B", "I:" + "L".repeat(3 * (int) MIB), "C",
                    "B", "I:small", "C");
        }
    }

    @Test
    void discardIncompleteDropsTheOpenTransactionAndOpenStreams() throws Exception {
        try (Spool spool = Spool.open(dir, MIB, (l, t) -> { })) {
            spool.appendMessage(begin(0x100));
            spool.appendMessage(commit(0x100, 0x110));
            spool.endTransaction(Lsn.of(0x110));
            spool.appendMessage(begin(0x200));
            spool.appendMessage(change("lost"));
            StreamFile s = spool.stream(7, true);
            s.append(streamChange(7, "x"), 7, true);
            spool.discardIncomplete();
            assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".part"))).isEmpty();
            spool.appendMessage(begin(0x200));
            spool.appendMessage(change("b"));
            spool.appendMessage(commit(0x200, 0x210));
            spool.endTransaction(Lsn.of(0x210));
            SpoolReader reader = spool.reader();
            assertThat(texts(reader, 6)).containsExactly("B", "C", "B", "I:b", "C");
        }
    }

    @Test
    void reopenCutsATornTailAndReportsSpooledCommits() throws Exception {
        try (Spool spool = Spool.open(dir, MIB, (l, t) -> { })) {
            spool.appendMessage(relation(16384));
            spool.appendMessage(begin(0x100));
            spool.appendMessage(commit(0x100, 0x110));
            spool.endTransaction(Lsn.of(0x110));
            spool.appendMessage(begin(0x200));
            spool.appendMessage(change("half"));
            spool.sync();
        }
        Path segment = Files.list(dir).filter(p -> p.getFileName().toString().startsWith("segment-")).findFirst().orElseThrow();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 99, 1, 2})); // a torn record
        }
        List<Lsn> commits = new ArrayList<>();
        try (Spool spool = Spool.open(dir, MIB, (l, t) -> commits.add(l))) {
            assertThat(commits).containsExactly(Lsn.of(0x110));
            assertThat(spool.highWater()).isEqualTo(Lsn.of(0x110));
            spool.appendMessage(begin(0x200));
            spool.appendMessage(commit(0x200, 0x210));
            spool.endTransaction(Lsn.of(0x210));
            assertThat(texts(spool.reader(), 6)).containsExactly("R", "B", "C", "B", "C");
        }
    }

    @Test
    void segmentsRollWithTheLatestRelationsAndAreReleasedOnceApplied() throws Exception {
        try (Spool spool = Spool.open(dir, MIB, (l, t) -> { })) {
            spool.appendMessage(relation(16384));
            String big = "x".repeat(300_000);
            for (int i = 1; i <= 8; i++) {
                spool.appendMessage(begin(i * 0x100L));
                spool.appendMessage(change(big));
                spool.appendMessage(commit(i * 0x100L, i * 0x100L + 0x10));
                spool.endTransaction(Lsn.of(i * 0x100L + 0x10));
            }
            long segments = countSegments();
            assertThat(segments).isGreaterThan(2);
            spool.sync();
            spool.release(Lsn.of(0x510));
            assertThat(countSegments()).isLessThan(segments);
            // A reader starting at the oldest remaining segment still meets the relation first.
            SpoolReader reader = spool.reader();
            SpoolRecord first = reader.next(10, TimeUnit.MILLISECONDS);
            assertThat(text(first)).isEqualTo("R");
        }
    }

    @Test
    void streamedTransactionsSurviveSubtransactionAbortAndLandInCommitOrder() throws Exception {
        try (Spool spool = Spool.open(dir, MIB, (l, t) -> { })) {
            StreamFile s = spool.stream(7, true);
            s.append(streamChange(7, "keep"), 7, true);
            s.append(streamChange(8, "sub-aborted"), 8, true);
            s.append(streamChange(9, "nested-aborted"), 9, true);
            s.abort(8);
            assertThat(s.changes()).isEqualTo(1);
            s.append(streamChange(10, "after"), 10, true);
            StreamFile other = spool.stream(11, true);
            other.append(streamChange(11, "aborted"), 11, true);
            other.abort(11);
            spool.appendMessage(begin(0x100));
            spool.appendMessage(commit(0x100, 0x110));
            spool.endTransaction(Lsn.of(0x110));
            spool.stream(7, false).commit(Lsn.of(0x200), Lsn.of(0x210), 5);
            SpoolReader reader = spool.reader();
            assertThat(text(reader.next(10, TimeUnit.MILLISECONDS))).isEqualTo("B");
            assertThat(text(reader.next(10, TimeUnit.MILLISECONDS))).isEqualTo("C");
            SpoolRecord.Streamed streamed = (SpoolRecord.Streamed) reader.next(10, TimeUnit.MILLISECONDS);
            assertThat(streamed.endLsn()).isEqualTo(Lsn.of(0x210));
            List<String> values = new ArrayList<>();
            try (SpoolReader.StreamedMessages m = reader.streamed(streamed)) {
                m.forEachRemaining(b -> values.add(new String(b.array(), b.arrayOffset() + 5, b.remaining() - 5,
                        StandardCharsets.UTF_8)));
            }
            assertThat(values).containsExactly("keep", "after");
            assertThat(spool.highWater()).isEqualTo(Lsn.of(0x210));
            spool.release(Lsn.of(0x210));
            assertThat(Files.list(dir).filter(p -> p.getFileName().toString().startsWith("txn-"))).isEmpty();
        }
    }

    private long countSegments() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("segment-")).count();
        }
    }

    private static List<String> texts(SpoolReader reader, int max) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            SpoolRecord r = reader.next(20, TimeUnit.MILLISECONDS);
            if (r == null) {
                break;
            }
            out.add(text(r));
        }
        return out;
    }

    private static String text(SpoolRecord r) {
        if (r instanceof SpoolRecord.Keepalive k) {
            return "K:" + k.lsn();
        }
        ByteBuffer b = ((SpoolRecord.Message) r).bytes();
        char type = (char) b.get(0);
        if (type == 'I') {
            return "I:" + new String(b.array(), b.arrayOffset() + 1, b.remaining() - 1, StandardCharsets.UTF_8);
        }
        return String.valueOf(type);
    }

    private static ByteBuffer begin(long finalLsn) {
        return ByteBuffer.allocate(21).put((byte) 'B').putLong(finalLsn).putLong(0).putInt(1).flip();
    }

    private static ByteBuffer commit(long commitLsn, long endLsn) {
        return ByteBuffer.allocate(26).put((byte) 'C').put((byte) 0).putLong(commitLsn).putLong(endLsn).putLong(0).flip();
    }

    private static ByteBuffer relation(int oid) {
        return ByteBuffer.allocate(5).put((byte) 'R').putInt(oid).flip();
    }

    private static ByteBuffer change(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + b.length).put((byte) 'I').put(b).flip();
    }

    private static ByteBuffer streamChange(int xid, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + b.length).put((byte) 'I').putInt(xid).put(b).flip();
    }
}
