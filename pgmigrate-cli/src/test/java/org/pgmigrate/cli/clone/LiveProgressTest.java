package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.TableStats;

/** The live line: exact rows, an estimated total said to be one, and 100% once the copy is done. */
class LiveProgressTest {

    @Test
    void whileTheCopyRunsTheTotalIsAnEstimateAndSaysSo() {
        LiveProgress.DatabaseProgress p = progress(200L << 20);
        p.phase = Phase.COPY;
        p.rows.set(1_234_567);
        p.bytes.set(100L << 20);

        String line = LiveProgress.line("shop", p, p.copyStart + 10_000_000_000L);

        assertThat(line).contains(" copy ").contains(" ~50% ").contains("rows 1,234,567 ")
                .contains("100 MiB of ~200 MiB").contains("10.0 MiB/s").contains("ETA ~10s");
    }

    @Test
    void aCopyThatOutgrowsItsEstimateNeverReads100PercentBeforeItEnds() {
        LiveProgress.DatabaseProgress p = progress(100L << 20);
        p.phase = Phase.COPY;
        p.bytes.set(150L << 20);

        assertThat(LiveProgress.line("shop", p, p.copyStart + 1_000_000_000L)).contains(" ~99% ").doesNotContain("100%")
                .doesNotContain("ETA");
    }

    @Test
    void aFinishedCopyReads100PercentOfWhatWasCopiedWithTheExactRows() {
        StringWriter screen = new StringWriter();
        try (LiveProgress live = new LiveProgress(new PrintWriter(screen))) {
            live.phaseStarted("shop", Phase.COPY);
            live.tablesQueued("shop", 2, 100L << 20); // the tables' size on disk
            live.rowsCopied("shop", "public.a", 2_400_000, 70L << 20);
            live.rowsCopied("shop", "public.b", 220, 1L << 20);
            live.tableCompleted("shop", new TableStats("public.a", 2_400_000, 70L << 20, 1, Duration.ZERO, Duration.ZERO));
            live.tableCompleted("shop", new TableStats("public.b", 220, 1L << 20, 1, Duration.ZERO, Duration.ZERO));
            live.phaseCompleted("shop", Phase.COPY, Duration.ofSeconds(1));
            live.phaseStarted("shop", Phase.VERIFY);
            live.phaseCompleted("shop", Phase.VERIFY, Duration.ofSeconds(1));
        }
        String last = lastLine(screen.toString());
        assertThat(last).startsWith("shop").contains(" done ").contains("[" + "#".repeat(30) + "]").contains(" 100% ")
                .contains("tables 2/2").contains("rows 2,400,220 ").contains("71.0 MiB").doesNotContain("~")
                .doesNotContain("ETA");
    }

    @Test
    void aResumedCopyCountsTheEarlierRunsRowsAndSaysWhichAreThisRuns() {
        StringWriter screen = new StringWriter();
        try (LiveProgress live = new LiveProgress(new PrintWriter(screen))) {
            live.phaseStarted("big", Phase.COPY);
            live.tablesQueued("big", 1, 300L << 20);
            live.copiedEarlier("big", 615_384, 80L << 20);
            live.rowsCopied("big", "public.accounts", 1_384_616, 180L << 20);
            live.phaseCompleted("big", Phase.COPY, Duration.ofSeconds(1));
            live.finished("big");
        }
        assertThat(lastLine(screen.toString())).contains(" done ").contains(" 100% ")
                .contains("rows 2,000,000 (1,384,616 this run)").contains("260 MiB");
    }

    private static LiveProgress.DatabaseProgress progress(long estimate) {
        LiveProgress.DatabaseProgress p = new LiveProgress.DatabaseProgress();
        p.tables = 3;
        p.totalBytes = estimate;
        p.copyStart = 1_000_000_000L;
        return p;
    }

    /** The screen's last line, after the escapes that erased the earlier ones. */
    private static String lastLine(String screen) {
        String[] lines = screen.split("\n");
        String last = lines[lines.length - 1];
        return last.substring(last.lastIndexOf("\033[2K") < 0 ? 0 : last.lastIndexOf("\033[2K") + 4);
    }
}
