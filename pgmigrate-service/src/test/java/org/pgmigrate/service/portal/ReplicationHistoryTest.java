package org.pgmigrate.service.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationMode;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.migration.ReplicationProgress;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;

class ReplicationHistoryTest {

    private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

    @Test
    void keepsEachOnlineDatabasesSamplesUpToTheWindowOldestFirst() {
        ReplicationHistory h = new ReplicationHistory(Duration.ofSeconds(2), Duration.ofSeconds(10)); // 5 samples
        for (int i = 0; i < 7; i++) {
            h.record(T0.plusSeconds(2L * i), List.of(online("m1", MigrationStatus.CUTOVER_TRIGGER,
                    db("a", DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER, i, 100L * i),
                    db("b", DatabaseMigrationState.SUCCEEDED, 9, 9))));
        }
        Map<String, List<ReplicationHistory.Sample>> all = h.samples("m1", null);
        assertThat(all).containsOnlyKeys("a");
        assertThat(all.get("a")).extracting(ReplicationHistory.Sample::latencySeconds).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(all.get("a").get(4)).isEqualTo(new ReplicationHistory.Sample(T0.plusSeconds(12), 6, 600));
        assertThat(h.samples("m1", T0.plusSeconds(9)).get("a")).extracting(ReplicationHistory.Sample::time)
                .containsExactly(T0.plusSeconds(10), T0.plusSeconds(12));
    }

    @Test
    void offlineMigrationsAreNotSampledAndFinishedOnesAreForgottenAfterTheWindow() {
        ReplicationHistory h = new ReplicationHistory(Duration.ofSeconds(2), Duration.ofSeconds(10));
        Migration online = online("m1", MigrationStatus.CUTOVER_TRIGGER,
                db("a", DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER, 1, 1));
        Migration offline = withMode(online("m2", MigrationStatus.MIGRATING,
                db("a", DatabaseMigrationState.IN_PROGRESS, 1, 1)), MigrationMode.OFFLINE);
        h.record(T0, List.of(online, offline));
        assertThat(h.samples("m2", null)).isEmpty();

        // m1 ended: no longer among the active migrations; its chart stays for one window
        h.record(T0.plusSeconds(5), List.of());
        assertThat(h.samples("m1", null).get("a")).hasSize(1);
        h.record(T0.plusSeconds(11), List.of());
        assertThat(h.samples("m1", null)).isEmpty();
    }

    private static DatabaseDetails db(String name, DatabaseMigrationState state, long latency, long pending) {
        return DatabaseDetails.queued(name).withState(state, "x", null).withReplication(
                ReplicationProgress.NONE.withLatencySeconds(latency).withPendingBytes(pending));
    }

    private static Migration online(String id, MigrationStatus status, DatabaseDetails... dbs) {
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.migrationMode = MigrationMode.ONLINE;
        Map<String, DatabaseDetails> details = new LinkedHashMap<>();
        for (DatabaseDetails d : dbs) {
            details.put(d.databaseName(), d);
        }
        return new Migration(new MigrationKey(new ServerKey("s", "rg", ServerKind.FLEXIBLE, "t"), id), id, "local",
                Map.of(), b.build(), status, "", details, null, null, null, null, T0, T0, "sealed", 1);
    }

    private static Migration withMode(Migration m, MigrationMode mode) {
        return m.withSpec(b -> {
            b.migrationMode = mode;
            return b;
        });
    }
}
