package org.pgmigrate.service.worker;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.pgmigrate.service.logging.ControlCharacters;
import org.pgmigrate.service.security.SecretScrubber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a registered server's restart command, which is the user's shell command, as carefully as a shell command
 * can be run:
 * <ul>
 *   <li>{@code setsid sh -c <command>} (setsid from util-linux): the shell leads a new session and process group,
 *       so that everything it starts can be found again. A command that outlasts its time gets SIGTERM, then
 *       SIGKILL, sent to the whole group: no child (a background {@code sleep}, an ssh) is left running as the
 *       service's user. A command that ends in time keeps what it started (a server it launched in the
 *       background must survive).</li>
 *   <li>Its output (stdout and stderr) goes through a pipe into memory, never to a file or a log, and only its
 *       last {@value #EXCERPT_CHARS} characters are kept, after masking the passwords of the servers involved and
 *       anything that looks like a password ({@link SecretScrubber}), with control characters escaped.</li>
 * </ul>
 * Stateless and thread-safe; {@link #run} blocks for up to the timeout plus a few seconds.
 */
final class RestartCommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(RestartCommandRunner.class);

    /** The most of the command's output ever kept (in the migration's message). */
    static final int EXCERPT_CHARS = 1024;
    /** Raw output held while the command runs; more than the excerpt, so that a secret cut at its start is dropped. */
    private static final int TAIL_BYTES = 8192;
    private static final Duration TERM_GRACE = Duration.ofSeconds(5);
    /** How long the last output may take to arrive after the command ended (a background child may hold the pipe). */
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);

    /** How the command ended; {@code excerpt} is the scrubbed tail of its output, possibly empty. */
    record Outcome(boolean succeeded, String description, String excerpt) {
    }

    /** Runs {@code command}; masks {@code secrets} (the servers' passwords) in what it keeps of the output. */
    Outcome run(String command, Duration timeout, Collection<String> secrets) {
        Process process;
        try {
            process = new ProcessBuilder("setsid", "sh", "-c", command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            return new Outcome(false, "could not be started (" + e.getMessage() + "); pgmigrate runs it with setsid "
                    + "from util-linux, so install util-linux on the service's host", "");
        }
        OutputTail output = OutputTail.drain(process.getInputStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killGroup(process);
                output.awaitEnd(OUTPUT_GRACE);
                return new Outcome(false, "did not finish within " + timeout.toSeconds() + " s, so pgmigrate killed it "
                        + "and every process it started (its process group)", excerpt(output, secrets));
            }
            output.awaitEnd(OUTPUT_GRACE);
            int exit = process.exitValue();
            return new Outcome(exit == 0, "ended with exit code " + exit, excerpt(output, secrets));
        } catch (InterruptedException e) {
            // the service is stopping: a restart cut in the middle could leave the source down, so let it finish
            Thread.currentThread().interrupt();
            return new Outcome(false, "was still running when the service stopped (it was left to finish)", "");
        }
    }

    /** SIGTERM to the group, a grace period, then SIGKILL to the group (whatever ignored the TERM). */
    private static void killGroup(Process process) throws InterruptedException {
        // setsid (not a group leader, as a fresh child never is) made the shell the leader: its pid is the group id
        long group = process.pid();
        LOG.info("The restart command outlasted its time; terminating its process group {}.", group);
        signalGroup("TERM", group);
        process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        signalGroup("KILL", group);
        if (!process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly(); // killed before setsid ran: it was never in its own group
            process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * kill(2) on a negative pid signals a whole process group, which Java cannot do itself; the shell's kill builtin
     * can ({@code kill -TERM -<group>}). {@code signal} and {@code group} are ours, never the user's.
     */
    private static void signalGroup(String signal, long group) throws InterruptedException {
        try {
            Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " -" + group)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.warn("Cannot signal the restart command's process group {}: {}", group, e.getMessage());
        }
    }

    /** The kept output: whole lines only, secrets masked, control characters escaped, at most EXCERPT_CHARS. */
    private static String excerpt(OutputTail output, Collection<String> secrets) {
        String text = output.text();
        if (output.truncated()) {
            // the window starts inside a line, maybe inside a secret that no pattern would recognize in part
            int newline = text.indexOf('\n');
            text = newline >= 0 ? text.substring(newline + 1) : text.substring(Math.min(text.length(), 256));
        }
        text = ControlCharacters.escape(SecretScrubber.scrub(text, secrets).strip());
        return text.length() <= EXCERPT_CHARS ? text : "..." + text.substring(text.length() - EXCERPT_CHARS);
    }

    /** Drains a stream on a daemon thread, keeping only its last {@value #TAIL_BYTES} bytes, in memory. */
    private static final class OutputTail implements Runnable {

        private final InputStream in;
        private final byte[] ring = new byte[TAIL_BYTES];
        private final Thread thread;
        private long total;

        private OutputTail(InputStream in) {
            this.in = in;
            this.thread = new Thread(this, "pgmigrate-restart-output");
            thread.setDaemon(true);
        }

        static OutputTail drain(InputStream in) {
            OutputTail tail = new OutputTail(in);
            tail.thread.start();
            return tail;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[4096];
            try (InputStream stream = in) {
                int n;
                while ((n = stream.read(buffer)) >= 0) {
                    append(buffer, n);
                }
            } catch (IOException e) {
                // the pipe went away: what was read is all there is
            }
        }

        private synchronized void append(byte[] buffer, int n) {
            for (int i = 0; i < n; i++) {
                ring[(int) (total++ % ring.length)] = buffer[i];
            }
        }

        void awaitEnd(Duration grace) throws InterruptedException {
            thread.join(grace.toMillis());
        }

        synchronized boolean truncated() {
            return total > ring.length;
        }

        synchronized String text() {
            byte[] bytes;
            if (total <= ring.length) {
                bytes = Arrays.copyOf(ring, (int) total);
            } else {
                int start = (int) (total % ring.length);
                bytes = new byte[ring.length];
                System.arraycopy(ring, start, bytes, 0, ring.length - start);
                System.arraycopy(ring, 0, bytes, ring.length - start, start);
            }
            return new String(bytes, StandardCharsets.UTF_8); // a character cut at the start becomes U+FFFD
        }
    }
}
