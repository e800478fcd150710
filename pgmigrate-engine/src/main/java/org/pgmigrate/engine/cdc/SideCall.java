package org.pgmigrate.engine.cdc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.pgmigrate.engine.threads.ContextThreads;

/**
 * One blocking call run on a daemon thread of its own, beside the caller's own work, when the caller needs both
 * before it goes on: opening a session is a TCP connection, an authentication and a backend start (15-50 ms on a busy
 * machine), and a cutover or a resume that opens its sessions one after the other waits for each in turn. The thread
 * carries the caller's logging context and ends with the call.
 *
 * @param <T> what the call returns
 */
final class SideCall<T> {

    private final CompletableFuture<T> result = new CompletableFuture<>();

    private SideCall() {
    }

    /** Starts {@code call} on a daemon thread named {@code threadName}. */
    static <T> SideCall<T> start(String threadName, Supplier<T> call) {
        SideCall<T> side = new SideCall<>();
        ContextThreads.newDaemonThread(threadName, () -> {
            try {
                side.result.complete(call.get());
            } catch (RuntimeException | Error e) {
                side.result.completeExceptionally(e);
            }
        }).start();
        return side;
    }

    /** Waits for the call and returns its result, or throws what it threw. */
    T join() {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * For a caller that gives up before {@link #join}: {@code cleanup} gets the result once there is one (a session
     * to close), at once if there is one already; never when the call failed.
     */
    void whenDone(Consumer<T> cleanup) {
        result.thenAccept(cleanup);
    }
}
