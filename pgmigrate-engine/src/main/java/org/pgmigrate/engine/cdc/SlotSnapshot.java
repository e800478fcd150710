package org.pgmigrate.engine.cdc;

/**
 * What creating the slot gave: the exported snapshot the base copy must run under ({@code SET TRANSACTION SNAPSHOT},
 * {@code pg_dump --snapshot}) and the consistent point where change capture starts. Every transaction committed
 * before the consistent point is in the snapshot; every later one is streamed. The snapshot stays valid until
 * {@link OnlineReplication#releaseSnapshot()}. Keep this value (e.g. in a checkpoint) to {@link OnlineReplication#resume}
 * after a restart.
 */
public record SlotSnapshot(String slotName, String publicationName, String snapshotName, Lsn consistentPoint) {
}
