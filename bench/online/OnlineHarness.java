import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.DatabaseReport;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.cdc.CutoverResult;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.cdc.ReplicationStats;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;

/**
 * The benchmark's driver of pgmigrate's online migration (bench/run-online.sh), until the service's online mode is
 * what the benchmark drives: the engine's {@code OnlineMigration} with its default settings, remote-controlled by
 * one command per line on stdin. Run with the CLI's shaded jar on the class path (Java source-file mode):
 *
 * <pre>java -cp pgmigrate-cli/target/pgmigrate.jar bench/online/OnlineHarness.java SOURCE_URI TARGET_URI WORK_DIR</pre>
 *
 * Commands: {@code start} (publication, slot, the engine's base copy under the slot's snapshot while capturing, then
 * apply), {@code pause} (stop capture and apply, keep the slot: the source's WAL becomes a backlog), {@code resume}
 * (a new {@code OnlineMigration} on the same checkpoint store resumes from the recorded slot and the target's origin,
 * as a restarted process would),
 * {@code cutover}, {@code quit}. Each prints one {@code EVENT} line when done; a {@code STATS} line (epoch ms,
 * latency ms, pending bytes, applied and incoming changes) is printed every second. Single-threaded apart from the
 * stats printer.
 */
public final class OnlineHarness {

    private static volatile OnlineMigration current;

    public static void main(String[] args) throws Exception {
        PgEndpoint source = PgEndpoint.parse(args[0]);
        PgEndpoint target = PgEndpoint.parse(args[1]);
        Path work = Path.of(args[2]);
        ReplicationConfig config = ReplicationConfig.builder("bench", source, target, work.resolve("spool")).build();
        Engine engine = new Engine(EngineSettings.defaults());
        DatabaseJob job = DatabaseJob.of(source, target, work.resolve("job"));
        // Where the migration keeps its slot and progress: a resume is a new OnlineMigration on the same store.
        CheckpointStore checkpoints = CheckpointStore.inMemory();
        current = new OnlineMigration(engine, job, new OnlineReplication(config, new PgConnector()), checkpoints);
        Thread printer = new Thread(OnlineHarness::printStats, "bench-stats");
        printer.setDaemon(true);
        printer.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        try {
            while ((line = in.readLine()) != null) {
                long t0 = System.nanoTime();
                switch (line.trim()) {
                    case "start" -> {
                        DatabaseReport report = current.start(ProgressListener.NONE, new Cancellation());
                        event("started copy_ms=%d rows=%d", millis(t0), report.rows());
                    }
                    case "pause" -> {
                        current.close();
                        event("paused ms=%d", millis(t0));
                    }
                    case "resume" -> {
                        OnlineMigration resumed = new OnlineMigration(engine, job,
                                new OnlineReplication(config, new PgConnector()), checkpoints);
                        resumed.start(ProgressListener.NONE, new Cancellation()); // resumes from the recorded slot
                        current = resumed;
                        event("resumed ms=%d", millis(t0));
                    }
                    case "cutover" -> {
                        CutoverResult done = current.cutover(Duration.ofMinutes(10));
                        event("cutover ms=%d engine_ms=%d end=%s applied=%s sequences=%d changes=%d", millis(t0),
                                done.took().toMillis(), done.endPoint(), done.appliedPoint(),
                                done.sequencesSynchronized(), done.finalStats().appliedChanges());
                    }
                    case "quit" -> {
                        event("quit");
                        return;
                    }
                    case "" -> { }
                    default -> event("unknown command '%s'", line);
                }
            }
        } catch (RuntimeException e) {
            event("failed %s", e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' '));
            System.exit(1);
        } finally {
            current.close();
        }
    }

    private static void printStats() {
        while (true) {
            ReplicationStats s = current.stats();
            System.out.printf(Locale.ROOT, "STATS %d %d %d %d %d %s%n", System.currentTimeMillis(),
                    s.latency().toMillis(), s.pendingBytes(), s.appliedChanges(), s.incomingChanges(), s.state());
            if (s.failure() != null) {
                event("failed %s", s.failure().replace('\n', ' '));
            }
            try {
                Thread.sleep(1000); // the cadence of a sample, not synchronization
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static synchronized void event(String format, Object... args) {
        System.out.printf(Locale.ROOT, "EVENT %d " + format + "%n", prepend(System.currentTimeMillis(), args));
        System.out.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
