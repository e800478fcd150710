package org.pgmigrate.engine.cdc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.cdc.apply.ProgressTracking;
import org.pgmigrate.engine.pg.PgEndpoint;

/**
 * The settings of one database's online replication, validated once by {@link Builder#build()}.
 *
 * <ul>
 *   <li>{@code source}, {@code target}: endpoints naming the database on each side.</li>
 *   <li>{@code migrationId}: with the database, it names the slot, publication and origin
 *       ({@link ReplicationNames}).</li>
 *   <li>{@code spoolDirectory}: where changes are spooled; it must survive a restart of the process for
 *       {@link OnlineReplication#resume} to work while the spool still holds unapplied changes.</li>
 *   <li>{@code allowReplicaIdentityFull}: set {@code REPLICA IDENTITY FULL} on source tables that have neither a
 *       primary key nor a replica identity, instead of refusing them (service property
 *       {@code allowReplicaIdentityFull}, CLI flag {@code --allow-replica-identity-full}).</li>
 *   <li>{@code refreshMaterializedViews}: refresh the target's materialized views at cutover (default on), since
 *       changes are not replicated into them.</li>
 *   <li>{@code spoolLimitBytes} (default 64 GiB) and {@code spoolReserveBytes} (default 256 MiB): capture pauses,
 *       with a message, when the spool holds that many bytes of whole transactions, or when the spool's file system
 *       has less than the reserve free; it resumes once applying has made room. The source keeps the WAL meanwhile
 *       (the slot holds it), so nothing is lost.</li>
 *   <li>{@code reconnectTimeout}: how long a lost source or target connection is retried quickly (backoff up to
 *       30 s) before replication reports itself paused; it keeps retrying every 30 s after that, never failing.</li>
 *   <li>{@code filter}: the schemas and tables migrated ({@link TableFilter#NONE}: all). The publication lists only
 *       the tables whose rows are copied, so changes to the others never reach the target.</li>
 * </ul>
 */
public record ReplicationConfig(PgEndpoint source, PgEndpoint target, String migrationId, Path spoolDirectory,
                                boolean allowReplicaIdentityFull, ProgressTracking progressTracking,
                                Duration statusInterval, int groupCommitChanges, Duration groupCommitDelay,
                                int batchSize, long batchBytes, long spoolSegmentBytes, Duration spoolSyncInterval,
                                Duration reconnectTimeout, Duration slotCreationTimeout, Duration monitorInterval,
                                boolean refreshMaterializedViews, long spoolLimitBytes, long spoolReserveBytes,
                                TableFilter filter) {

    public static Builder builder(String migrationId, PgEndpoint source, PgEndpoint target, Path spoolDirectory) {
        return new Builder(migrationId, source, target, spoolDirectory);
    }

    public String database() {
        return source.database();
    }

    public ReplicationNames names() {
        return ReplicationNames.of(migrationId, source.database());
    }

    /** Collects options; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private final String migrationId;
        private final PgEndpoint source;
        private final PgEndpoint target;
        private final Path spoolDirectory;
        private boolean allowReplicaIdentityFull;
        private ProgressTracking progressTracking = ProgressTracking.AUTO;
        private Duration statusInterval = Duration.ofSeconds(10);
        private int groupCommitChanges = 10_000;
        private Duration groupCommitDelay = Duration.ofMillis(200);
        private int batchSize = 1000;
        private long batchBytes = 8L * 1024 * 1024;
        private long spoolSegmentBytes = 64L * 1024 * 1024;
        private Duration spoolSyncInterval = Duration.ofMillis(100);
        private Duration reconnectTimeout = Duration.ofMinutes(5);
        private Duration slotCreationTimeout = Duration.ofMinutes(10);
        private Duration monitorInterval = Duration.ofSeconds(1);
        private boolean refreshMaterializedViews = true;
        private long spoolLimitBytes = 64L << 30;
        private long spoolReserveBytes = 256L << 20;
        private TableFilter filter = TableFilter.NONE;

        private Builder(String migrationId, PgEndpoint source, PgEndpoint target, Path spoolDirectory) {
            this.migrationId = migrationId;
            this.source = source;
            this.target = target;
            this.spoolDirectory = spoolDirectory;
        }

        public Builder allowReplicaIdentityFull(boolean allow) {
            this.allowReplicaIdentityFull = allow;
            return this;
        }

        public Builder progressTracking(ProgressTracking tracking) {
            this.progressTracking = tracking;
            return this;
        }

        /** How often the receiver reports its position to the source; keep it under wal_sender_timeout / 3. */
        public Builder statusInterval(Duration interval) {
            this.statusInterval = interval;
            return this;
        }

        public Builder groupCommit(int changes, Duration delay) {
            this.groupCommitChanges = changes;
            this.groupCommitDelay = delay;
            return this;
        }

        public Builder batch(int statements, long bytes) {
            this.batchSize = statements;
            this.batchBytes = bytes;
            return this;
        }

        public Builder spool(long segmentBytes, Duration syncInterval) {
            this.spoolSegmentBytes = segmentBytes;
            this.spoolSyncInterval = syncInterval;
            return this;
        }

        /**
         * Capture pauses when the spool holds {@code limitBytes} of whole transactions or its file system has less
         * than {@code reserveBytes} free. The limit must hold at least four segments.
         */
        public Builder spoolLimit(long limitBytes, long reserveBytes) {
            this.spoolLimitBytes = limitBytes;
            this.spoolReserveBytes = reserveBytes;
            return this;
        }

        /** {@link #spoolLimit(long, long)} with the default reserve. */
        public Builder spoolLimit(long limitBytes) {
            this.spoolLimitBytes = limitBytes;
            return this;
        }

        /** How long to retry a lost source or target connection quickly before reporting replication paused. */
        public Builder reconnectTimeout(Duration timeout) {
            this.reconnectTimeout = timeout;
            return this;
        }

        /** How long slot creation may wait for transactions that were running when it started. */
        public Builder slotCreationTimeout(Duration timeout) {
            this.slotCreationTimeout = timeout;
            return this;
        }

        public Builder monitorInterval(Duration interval) {
            this.monitorInterval = interval;
            return this;
        }

        /** The schemas and tables to migrate; the default is all. */
        public Builder filter(TableFilter tables) {
            this.filter = tables == null ? TableFilter.NONE : tables;
            return this;
        }

        public Builder refreshMaterializedViews(boolean refresh) {
            this.refreshMaterializedViews = refresh;
            return this;
        }

        public ReplicationConfig build() {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(spoolDirectory, "spoolDirectory");
            Objects.requireNonNull(progressTracking, "progressTracking");
            if (source.database() == null || target.database() == null) {
                throw new IllegalArgumentException("source and target endpoints must name a database");
            }
            ReplicationNames.of(migrationId, source.database()); // validates migrationId
            positive("statusInterval", statusInterval, Duration.ofMillis(100));
            positive("groupCommitDelay", groupCommitDelay, Duration.ZERO);
            positive("spoolSyncInterval", spoolSyncInterval, Duration.ZERO);
            positive("reconnectTimeout", reconnectTimeout, Duration.ZERO);
            positive("slotCreationTimeout", slotCreationTimeout, Duration.ofSeconds(1));
            positive("monitorInterval", monitorInterval, Duration.ofMillis(10));
            if (groupCommitChanges < 1) {
                throw new IllegalArgumentException("groupCommitChanges must be at least 1, was " + groupCommitChanges);
            }
            if (batchSize < 1 || batchSize > 32_767) {
                throw new IllegalArgumentException("batchSize must be 1 to 32767, was " + batchSize);
            }
            if (batchBytes < 1024) {
                throw new IllegalArgumentException("batchBytes must be at least 1024, was " + batchBytes);
            }
            if (spoolSegmentBytes < 1024 * 1024) {
                throw new IllegalArgumentException("spoolSegmentBytes must be at least 1 MiB, was " + spoolSegmentBytes);
            }
            if (spoolLimitBytes < 4 * spoolSegmentBytes) {
                // Below that, the segment being written could keep the spool over its limit with nothing to apply.
                throw new IllegalArgumentException("The spool limit must hold at least four spool segments ("
                        + (4 * spoolSegmentBytes >> 20) + " MiB), was " + (spoolLimitBytes >> 20) + " MiB");
            }
            if (spoolReserveBytes < 0) {
                throw new IllegalArgumentException("spoolReserveBytes must not be negative, was " + spoolReserveBytes);
            }
            return new ReplicationConfig(source, target, migrationId, spoolDirectory, allowReplicaIdentityFull,
                    progressTracking, statusInterval, groupCommitChanges, groupCommitDelay, batchSize, batchBytes,
                    spoolSegmentBytes, spoolSyncInterval, reconnectTimeout, slotCreationTimeout, monitorInterval,
                    refreshMaterializedViews, spoolLimitBytes, spoolReserveBytes, filter);
        }

        private static void positive(String key, Duration value, Duration atLeast) {
            Objects.requireNonNull(value, key);
            if (value.compareTo(atLeast) < 0 || value.isNegative()) {
                throw new IllegalArgumentException(key + " must be at least " + atLeast.toMillis() + " ms, was "
                        + value.toMillis() + " ms");
            }
        }
    }
}
