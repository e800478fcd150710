package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;

class SourceChangesTest {

    private static final SourceChanges.ReplicaIdentityChange ODD = new SourceChanges.ReplicaIdentityChange(16384,
            "\"we ird\".\"t\tab\nle\\\\N\"", 'n', null);
    private static final SourceChanges.ReplicaIdentityChange PLAIN = new SourceChanges.ReplicaIdentityChange(16390,
            "\"public\".\"events\"", 'd', null);

    @Test
    void encodesToOneLineAndReadsBackEveryName() {
        SourceChanges changes = SourceChanges.NONE.withReplication("pgmigrate_m_0123456789", "pgmigrate_m_0123456789")
                .withReplicaIdentities(List.of(ODD, PLAIN, new SourceChanges.ReplicaIdentityChange(16400, "\"s\".\"x\"",
                        'i', "x idx")))
                .withSettings(List.of(new SourceChanges.SettingChange("wal_level", "replica", true, "logical"),
                        new SourceChanges.SettingChange("max_wal_senders", null, true, "12"),
                        new SourceChanges.SettingChange("max_replication_slots", null, false, "")));
        String text = changes.encode();
        assertThat(text).doesNotContain("\n").doesNotContain("\r");
        assertThat(SourceChanges.decode(text)).isEqualTo(changes);
        assertThat(SourceChanges.decode(SourceChanges.NONE.encode())).isEqualTo(SourceChanges.NONE);
        assertThat(SourceChanges.NONE.isEmpty()).isTrue();
        assertThatThrownBy(() -> SourceChanges.decode("slot\tx")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pgmigrate-source-changes");
    }

    @Test
    void aTableRecordedByAnEarlierAttemptKeepsItsFirstIdentityAndSettingsTheirFirstValue() {
        SourceChanges first = SourceChanges.NONE.withReplicaIdentities(List.of(PLAIN))
                .withSettings(List.of(new SourceChanges.SettingChange("wal_level", "replica", true, "logical")));
        SourceChanges second = first.withReplicaIdentities(List.of(new SourceChanges.ReplicaIdentityChange(16390,
                        "\"public\".\"events\"", 'n', null), ODD))
                .withSettings(List.of(new SourceChanges.SettingChange("wal_level", "logical", true, "logical")));
        assertThat(second.replicaIdentities()).containsExactly(PLAIN, ODD);
        assertThat(second.settings()).containsExactly(new SourceChanges.SettingChange("wal_level", "replica", true,
                "logical"));
        assertThat(second.withoutReplicaIdentities(Set.of(16390L)).replicaIdentities()).containsExactly(ODD);
    }

    @Test
    void aCheckpointStoreKeepsTheRecord(@TempDir Path dir) {
        SourceChanges changes = SourceChanges.NONE.withReplication("s", "p").withReplicaIdentities(List.of(ODD));
        try (DirectoryCheckpointStore store = DirectoryCheckpointStore.open(dir)) {
            SourceChangeLog.in(store, "cdc/source-changes").save(changes);
        }
        try (DirectoryCheckpointStore store = DirectoryCheckpointStore.open(dir)) {
            assertThat(SourceChangeLog.in(store, "cdc/source-changes").load()).isEqualTo(changes);
        }
    }

    @Test
    void anUnreachableSourceLeavesEverythingWithTheSqlToRunByHand() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        SourceChanges changes = SourceChanges.NONE.withReplication("pgmigrate_x_1", "pgmigrate_x_1")
                .withReplicaIdentities(List.of(PLAIN));
        SourceUndo.Report report = new SourceUndo(PgEndpoint.parse("postgresql://u@127.0.0.1:" + port + "/shop"))
                .undo(new PgConnector(2), changes);
        assertThat(report.complete()).isFalse();
        assertThat(report.replicationRemains()).isTrue();
        assertThat(report.remaining()).isEqualTo(changes);
        assertThat(report.describe()).contains("could not reach it")
                .contains("SELECT pg_catalog.pg_drop_replication_slot('pgmigrate_x_1'); in database shop on 127.0.0.1:"
                        + port)
                .contains("DROP PUBLICATION IF EXISTS \"pgmigrate_x_1\";")
                .contains("ALTER TABLE \"public\".\"events\" REPLICA IDENTITY DEFAULT;");
    }
}
