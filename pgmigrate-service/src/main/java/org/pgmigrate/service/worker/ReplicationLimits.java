package org.pgmigrate.service.worker;

import java.time.Duration;

/**
 * How this node's online replications pause rather than fail: capture pauses when a database's change spool holds
 * {@code spoolLimitBytes} ({@code serve --spool-limit}); a lost source or target connection is retried quickly for
 * {@code reconnectWindow}, then reported as paused and retried every 30 s. Immutable.
 */
public record ReplicationLimits(long spoolLimitBytes, Duration reconnectWindow) {

    public static final ReplicationLimits DEFAULT = new ReplicationLimits(64L << 30, Duration.ofMinutes(5));

    public ReplicationLimits {
        if (spoolLimitBytes < 256L << 20) {
            throw new IllegalArgumentException("--spool-limit must be at least 256MiB, was " + spoolLimitBytes + " bytes.");
        }
        if (reconnectWindow.isNegative() || reconnectWindow.isZero()) {
            throw new IllegalArgumentException("reconnectWindow must be positive, was " + reconnectWindow);
        }
    }

    public ReplicationLimits withSpoolLimit(long bytes) {
        return new ReplicationLimits(bytes, reconnectWindow);
    }

    public ReplicationLimits withReconnectWindow(Duration window) {
        return new ReplicationLimits(spoolLimitBytes, window);
    }
}
