package org.pgmigrate.service.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether a server's host name resolves on the service's machine, asked when the server is registered: a name that
 * does not resolve is registered (it may resolve later, or only on another node) but not shown as Ready. IP
 * addresses need no lookup. Stateless.
 */
final class HostResolution {

    /** A resolver that does not answer within this time is reported as such, not waited for. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private HostResolution() {
    }

    /** Why {@code host} cannot be used to connect, or empty when it resolves. */
    static Optional<String> problem(String host) {
        CompletableFuture<Void> lookup = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                InetAddress.getAllByName(host);
                lookup.complete(null);
            } catch (UnknownHostException | RuntimeException e) {
                lookup.completeExceptionally(e);
            }
        }, "pgmigrate-resolve-host");
        t.setDaemon(true); // a resolver that never answers must not keep the service alive
        t.start();
        try {
            lookup.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of("The host '" + host + "' does not resolve on the service's machine (checked when the "
                    + "server was registered), so migrations cannot connect to it. Check the name (or DNS and "
                    + "/etc/hosts there), then register the server again to check it again.");
        } catch (TimeoutException e) {
            return Optional.of("The host '" + host + "' did not resolve within " + TIMEOUT.toSeconds() + " s on the "
                    + "service's machine (checked when the server was registered): its DNS may be unreachable. Check "
                    + "the name and DNS there, then register the server again to check it again.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("The lookup of host '" + host + "' was interrupted; register the server again to "
                    + "check it.");
        }
    }
}
