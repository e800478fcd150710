package org.pgmigrate.engine.cdc;

import java.time.Duration;

/**
 * The proof a cutover gives: the source's WAL position when cutover started ({@code endPoint}), and the position
 * durably applied on the target, which is at least {@code endPoint}. {@code took} runs from the call to the drop of
 * the replication objects.
 *
 * @param sourceCleanupProblem null when the slot, publication and progress record are gone; otherwise what remains
 *                             and how to drop it by hand (the target is complete either way)
 */
public record CutoverResult(Lsn endPoint, Lsn appliedPoint, int sequencesSynchronized, ReplicationStats finalStats,
                            Duration took, String sourceCleanupProblem) {
}
