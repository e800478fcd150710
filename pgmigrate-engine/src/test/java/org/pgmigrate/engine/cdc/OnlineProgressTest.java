package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.checkpoint.CheckpointStore;

/** What a database's online record means for the next process, decided without a server. */
class OnlineProgressTest {

    private final CheckpointStore store = CheckpointStore.inMemory();

    @Test
    void nothingRecordedIsNotStartedAndLeavesNothingOnTheSource() {
        OnlineProgress p = OnlineProgress.read(store, "shop");
        assertThat(p.phase()).isEqualTo(OnlineProgress.Phase.NOT_STARTED);
        assertThat(p.sourceObjectsMayRemain()).isFalse();
        assertThat(p.startsOver()).isFalse();
    }

    @Test
    void anAttemptWithoutItsSlotRecordedStartsOverAndKnowsTheTargetItCreated() {
        store.put("online/shop/attempt", "2");
        store.put("online/shop/2/db/shop/created", "done");
        store.put("online/shop/2/db/shop/target-identity", "7301 16384");
        store.put("online/shop/1/db/shop/target-identity", "an earlier attempt's");
        OnlineProgress p = OnlineProgress.read(store, "shop");
        assertThat(p.phase()).isEqualTo(OnlineProgress.Phase.BASE_COPY);
        assertThat(p.startsOver()).isTrue();
        assertThat(p.sourceObjectsMayRemain()).isTrue();
        assertThat(p.targetCreated()).isTrue();
        assertThat(p.targetIdentity()).isEqualTo("7301 16384");
    }

    @Test
    void aRecordedSlotResumesApplying() {
        store.put("online/shop/attempt", "1");
        store.put("online/shop/slot", "pgmigrate_m_ab pgmigrate_m_ab 00000003-00000002-1 0/1A2B3C4");
        OnlineProgress p = OnlineProgress.read(store, "shop");
        assertThat(p.phase()).isEqualTo(OnlineProgress.Phase.APPLYING);
        assertThat(p.copiedSlot()).isEqualTo(new SlotSnapshot("pgmigrate_m_ab", "pgmigrate_m_ab",
                "00000003-00000002-1", Lsn.parse("0/1A2B3C4")));
        assertThat(p.sourceObjectsMayRemain()).isTrue();
    }

    @Test
    void aCompleteTargetWithoutTheCutoverRecordedIsAnInterruptedCutover() {
        store.put("online/shop/attempt", "1");
        store.put("online/shop/slot", "s p x 0/10");
        store.put("online/shop/cutover-target", "0/20 0/28");
        OnlineProgress p = OnlineProgress.read(store, "shop");
        assertThat(p.phase()).isEqualTo(OnlineProgress.Phase.CUTOVER_INTERRUPTED);
        assertThat(p.targetComplete()).isEqualTo(new OnlineProgress.CutoverPoints(Lsn.parse("0/20"),
                Lsn.parse("0/28")));
        assertThat(p.sourceObjectsMayRemain()).as("the slot may still be there").isTrue();
    }

    @Test
    void aCutOverDatabaseLeavesNothingToCleanUp() {
        store.put("online/shop/attempt", "1");
        store.put("online/shop/slot", "s p x 0/10");
        store.put("online/shop/cutover-target", "0/20 0/28");
        store.put("online/shop/cutover", "0/20 0/28");
        OnlineProgress p = OnlineProgress.read(store, "shop");
        assertThat(p.phase()).isEqualTo(OnlineProgress.Phase.CUT_OVER);
        assertThat(p.sourceObjectsMayRemain()).isFalse();
    }

    @Test
    void onlyTheCurrentAttemptsCleanupCounts() {
        store.put("online/shop/attempt", "2");
        store.put("online/shop/cleaned", "1");
        assertThat(OnlineProgress.read(store, "shop").sourceObjectsMayRemain()).isTrue();
        store.put("online/shop/cleaned", "2");
        assertThat(OnlineProgress.read(store, "shop").sourceObjectsMayRemain()).isFalse();
    }

    @Test
    void databasesKeepTheirOwnRecords() {
        store.put("online/shop/attempt", "1");
        store.put("online/shop/slot", "s p x 0/10");
        assertThat(OnlineProgress.read(store, "shop/other").phase()).isEqualTo(OnlineProgress.Phase.NOT_STARTED);
    }

    @Test
    void aCorruptSlotRecordIsRefusedByName() {
        store.put("online/shop/attempt", "1");
        store.put("online/shop/slot", "only two");
        assertThatThrownBy(() -> OnlineProgress.read(store, "shop")).isInstanceOf(IllegalStateException.class)
                .hasMessage("Corrupt replication slot checkpoint 'only two'");
    }
}
