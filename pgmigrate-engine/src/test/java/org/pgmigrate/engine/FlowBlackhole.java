package org.pgmigrate.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes TCP connections on the loopback die silently, as a dead link, a vanished host or a middlebox that forgot
 * the flow would: an nftables rule drops every packet to or from the connection's client port, with no RST and no
 * FIN, and both kernels keep the connection. (Closing sockets, as a proxy can, is noticed at once; a proxy that stops
 * forwarding is not a dead link either, since its kernel still acknowledges.) Other connections to the same server
 * carry on. Needs root and nftables; {@link #assumeAvailable} skips a test without them. The rules live in a table
 * of their own, which {@link #close} deletes.
 */
final class FlowBlackhole implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String table = "pgmigrate_blackhole_" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet();
    private boolean created;

    /** Skips the calling test unless this machine lets it drop packets with nftables. */
    static void assumeAvailable() {
        String probe = "pgmigrate_probe_" + ProcessHandle.current().pid();
        boolean ok = nft(false, "add", "table", "inet", probe) && nft(false, "delete", "table", "inet", probe);
        Assumptions.assumeTrue(ok, "needs nftables (apt-get install nftables) and root to drop packets on lo");
    }

    /** From now on every packet of the TCP connection whose client side has port {@code clientPort} is dropped. */
    synchronized void cut(int clientPort) {
        if (!created) {
            nft(true, "add", "table", "inet", table);
            nft(true, "add", "chain", "inet", table, "input", "{ type filter hook input priority 0 ; policy accept ; }");
            created = true;
        }
        nft(true, "add", "rule", "inet", table, "input", "tcp", "sport", Integer.toString(clientPort), "drop");
        nft(true, "add", "rule", "inet", table, "input", "tcp", "dport", Integer.toString(clientPort), "drop");
    }

    @Override
    public synchronized void close() {
        if (created) {
            nft(true, "delete", "table", "inet", table);
            created = false;
        }
    }

    private static boolean nft(boolean required, String... args) {
        List<String> command = new ArrayList<>(List.of("nft"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            if (!done && required) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return done;
        } catch (IOException e) {
            if (required) {
                throw new IllegalStateException("cannot run nft: " + e.getMessage(), e);
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
