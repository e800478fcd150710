package org.pgmigrate.engine.cdc;

import java.time.Duration;

/**
 * The proof a cutover gives: the source's WAL position when cutover started ({@code endPoint}), and the position
 * durably applied on the target, which is at least {@code endPoint}. {@code took} runs from the call to the drop of
 * the replication objects.
 */
public record CutoverResult(Lsn endPoint, Lsn appliedPoint, int sequencesSynchronized, ReplicationStats finalStats,
                            Duration took) {
}
